// HS256 building blocks for token verification: HMAC-SHA256 under a key that
// is set up once (OpenSSL 3's EVP_MAC; setting the key per call costs more
// than the MAC itself), and base64url without padding (RFC 7515).
#pragma once

#include <openssl/evp.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

class Hs256 {
 public:
  using Digest = std::array<unsigned char, 32>;

  // Throws std::runtime_error when OpenSSL cannot set up HMAC-SHA256.
  explicit Hs256(const std::vector<unsigned char>& key);
  ~Hs256();
  Hs256(const Hs256&) = delete;
  Hs256& operator=(const Hs256&) = delete;

  // HMAC-SHA256(key, data). Safe to call from several threads at once.
  // nullopt only if OpenSSL fails (out of memory).
  std::optional<Digest> Mac(std::string_view data) const;

 private:
  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* keyed_ = nullptr;  // never updated: each Mac works on a copy
};

// Decodes unpadded base64url; nullopt on any other character, on padding, on
// an impossible length and on non-zero bits after the last byte.
std::optional<std::string> Base64UrlDecode(std::string_view in);

}  // namespace chat
