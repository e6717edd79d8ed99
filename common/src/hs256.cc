// HMAC-SHA256 on a pre-keyed OpenSSL context, and base64url decoding.
#include "hs256.h"

#include <openssl/core_names.h>
#include <openssl/params.h>

#include <stdexcept>

namespace chat {

Hs256::Hs256(const std::vector<unsigned char>& key) {
  mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  keyed_ = mac_ ? EVP_MAC_CTX_new(mac_) : nullptr;
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (!keyed_ || EVP_MAC_init(keyed_, key.data(), key.size(), params) != 1) {
    EVP_MAC_CTX_free(keyed_);
    EVP_MAC_free(mac_);
    throw std::runtime_error("OpenSSL cannot set up HMAC-SHA256");
  }
}

Hs256::~Hs256() {
  EVP_MAC_CTX_free(keyed_);
  EVP_MAC_free(mac_);
}

std::optional<Hs256::Digest> Hs256::Mac(std::string_view data) const {
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(keyed_);
  if (!ctx) return std::nullopt;
  Digest digest{};
  std::size_t length = 0;
  bool ok =
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1 &&
      EVP_MAC_final(ctx, digest.data(), &length, digest.size()) == 1 && length == digest.size();
  EVP_MAC_CTX_free(ctx);
  if (!ok) return std::nullopt;
  return digest;
}

std::optional<std::string> Base64UrlDecode(std::string_view in) {
  if (in.size() % 4 == 1) return std::nullopt;  // no byte count leaves one symbol over
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    int value;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      value = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      value = c - '0' + 52;
    } else if (c == '-') {
      value = 62;
    } else if (c == '_') {
      value = 63;
    } else {
      return std::nullopt;
    }
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

}  // namespace chat
