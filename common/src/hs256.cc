// HMAC-SHA256 on a pre-keyed OpenSSL context, and base64url decoding.
#include "hs256.h"

#include <openssl/core_names.h>
#include <openssl/params.h>

#include <cstdint>
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

namespace {

// Each byte's 6-bit value in the base64url alphabet, or -1.
constexpr std::array<int8_t, 256> kBase64UrlValues = [] {
  std::array<int8_t, 256> values{};
  values.fill(-1);
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    values[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  }
  return values;
}();

}  // namespace

std::optional<std::string> Base64UrlDecode(std::string_view in) {
  if (in.size() % 4 == 1) return std::nullopt;  // no byte count leaves one symbol over
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    const int value = kBase64UrlValues[static_cast<unsigned char>(c)];
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  // The bits of the last symbol that carry no byte must be zero: one text
  // per byte string, so a signature cannot be respelled (RFC 4648, 3.5).
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace chat
