// Access tokens: HS256-signed JWTs bound to one user and one device (or to a
// service identity), with an expiry. Issued by chatctl, checked by the broker
// plugin at every connect. The contract is in docs/PROTOCOL.md, "Access tokens".
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

using SigningKey = std::vector<unsigned char>;

struct TokenClaims {
  std::string user;    // `sub`: user id, or the service name for service tokens
  std::string device;  // `dev`: device id; empty for service tokens
  std::string jti;     // unique token id, the handle for revocation
  int64_t issued_at_s = 0;
  int64_t expires_at_s = 0;
  bool service = false;  // `kind` == "service"
};

enum class TokenError {
  kNone,
  kMalformed,       // not a JWT, bad base64 or JSON
  kBadSignature,    // signature does not match the key
  kWrongAlgorithm,  // anything but HS256 (defeats alg=none and key confusion)
  kMissingClaim,    // sub, jti, exp, iat or kind absent or of the wrong type
  kInvalidClaim,    // ids that fail validation, unknown kind
  kExpired,         // exp <= now
};

// Stable lowercase name of an error, for logs.
std::string_view TokenErrorName(TokenError error);

struct TokenCheck {
  TokenError error = TokenError::kNone;
  TokenClaims claims;  // meaningful only when ok()
  bool ok() const { return error == TokenError::kNone; }
};

// Signs claims. Thread-compatible; holds a copy of the key.
class TokenSigner {
 public:
  explicit TokenSigner(SigningKey key);
  std::string Sign(const TokenClaims& claims) const;

 private:
  SigningKey key_;
};

class Hs256;

// Verifies signature, algorithm, claim shapes and expiry, locally and without
// I/O. Revocation is checked separately by the caller (the plugin's token
// registry). The HMAC key is set up once, at construction: the broker runs a
// verification for every connect. Copies share that state; Verify is const
// and may run on several threads.
class TokenVerifier {
 public:
  explicit TokenVerifier(SigningKey key);
  TokenCheck Verify(std::string_view token, int64_t now_s) const;

 private:
  std::shared_ptr<const Hs256> mac_;
};

// A new random token id (32 hex digits).
std::string NewTokenId();

}  // namespace chat
