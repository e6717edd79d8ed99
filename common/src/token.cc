// JWT signing (libjwt) and verification (our own, HS256 only, on OpenSSL).
#include "chat/token.h"

#include <jwt.h>
#include <openssl/crypto.h>

#include <memory>
#include <optional>
#include <random>
#include <stdexcept>

#include "chat/ids.h"
#include "chat/json_object.h"
#include "hs256.h"

namespace chat {

namespace {

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

struct FreeDeleter {
  void operator()(char* p) const { free(p); }  // libjwt returns malloc'd strings
};

constexpr std::string_view kKindDevice = "device";
constexpr std::string_view kKindService = "service";

}  // namespace

std::string_view TokenErrorName(TokenError error) {
  switch (error) {
    case TokenError::kNone: return "ok";
    case TokenError::kMalformed: return "malformed";
    case TokenError::kBadSignature: return "bad_signature";
    case TokenError::kWrongAlgorithm: return "wrong_algorithm";
    case TokenError::kMissingClaim: return "missing_claim";
    case TokenError::kInvalidClaim: return "invalid_claim";
    case TokenError::kExpired: return "expired";
  }
  return "unknown";
}

TokenSigner::TokenSigner(SigningKey key) : key_(std::move(key)) {}

std::string TokenSigner::Sign(const TokenClaims& claims) const {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::bad_alloc();
  JwtPtr jwt(raw);
  jwt_add_grant(jwt.get(), "sub", claims.user.c_str());
  if (!claims.service) jwt_add_grant(jwt.get(), "dev", claims.device.c_str());
  jwt_add_grant(jwt.get(), "jti", claims.jti.c_str());
  jwt_add_grant(jwt.get(), "kind", claims.service ? kKindService.data() : kKindDevice.data());
  jwt_add_grant_int(jwt.get(), "iat", static_cast<long>(claims.issued_at_s));
  jwt_add_grant_int(jwt.get(), "exp", static_cast<long>(claims.expires_at_s));
  if (jwt_set_alg(jwt.get(), JWT_ALG_HS256, key_.data(), static_cast<int>(key_.size())) != 0) {
    throw std::runtime_error("jwt_set_alg failed");
  }
  std::unique_ptr<char, FreeDeleter> encoded(jwt_encode_str(jwt.get()));
  if (!encoded) throw std::runtime_error("jwt_encode_str failed");
  return std::string(encoded.get());
}

TokenVerifier::TokenVerifier(SigningKey key) : mac_(std::make_shared<const Hs256>(key)) {}

namespace {

// base64url(JSON object) -> the object; nullopt when either layer is bad.
std::optional<JsonObject> DecodeJsonPart(std::string_view part) {
  auto text = Base64UrlDecode(part);
  if (!text) return std::nullopt;
  return JsonObject::Parse(*text);
}

}  // namespace

TokenCheck TokenVerifier::Verify(std::string_view token, int64_t now_s) const {
  TokenCheck check;
  // Shape: three non-empty dot-separated parts, header.payload.signature.
  auto first = token.find('.');
  auto last = token.rfind('.');
  if (token.size() > 4096 || first == std::string_view::npos || first == last || first == 0 ||
      last + 1 == token.size() || token.find('.', first + 1) != last) {
    check.error = TokenError::kMalformed;
    return check;
  }
  auto header = DecodeJsonPart(token.substr(0, first));
  if (!header) {
    check.error = TokenError::kMalformed;
    return check;
  }
  // Only HS256: refuses alg=none and every key-confusion trick up front.
  const std::string* alg = header->String("alg");
  if (!alg || *alg != "HS256") {
    check.error = TokenError::kWrongAlgorithm;
    return check;
  }
  auto signature = Base64UrlDecode(token.substr(last + 1));
  auto expected = mac_->Mac(token.substr(0, last));
  if (!signature || !expected || signature->size() != expected->size() ||
      CRYPTO_memcmp(signature->data(), expected->data(), expected->size()) != 0) {
    check.error = TokenError::kBadSignature;
    return check;
  }
  // Signed by us: the payload is ours, but still checked for shape.
  auto payload = DecodeJsonPart(token.substr(first + 1, last - first - 1));
  if (!payload) {
    check.error = TokenError::kMalformed;
    return check;
  }
  const std::string* sub = payload->String("sub");
  const std::string* jti = payload->String("jti");
  const std::string* kind = payload->String("kind");
  auto iat = payload->Integer("iat");
  auto exp = payload->Integer("exp");
  if (!sub || !jti || !kind || !iat || !exp) {
    check.error = TokenError::kMissingClaim;
    return check;
  }
  check.claims.user = *sub;
  check.claims.jti = *jti;
  check.claims.issued_at_s = *iat;
  check.claims.expires_at_s = *exp;
  if (*kind == kKindService) {
    check.claims.service = true;
  } else if (*kind == kKindDevice) {
    const std::string* dev = payload->String("dev");
    if (!dev) {
      check.error = TokenError::kMissingClaim;
      return check;
    }
    check.claims.device = *dev;
    if (!IsValidId(check.claims.device)) check.error = TokenError::kInvalidClaim;
  } else {
    check.error = TokenError::kInvalidClaim;
  }
  if (check.ok() && (!IsValidId(check.claims.user) || !IsValidClientToken(check.claims.jti))) {
    check.error = TokenError::kInvalidClaim;
  }
  if (check.ok() && *exp <= now_s) check.error = TokenError::kExpired;
  return check;
}

std::string NewTokenId() {
  std::random_device rd;  // /dev/urandom on Linux
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 4; ++i) {
    uint32_t bits = rd();
    for (int k = 0; k < 8; ++k) {
      id.push_back(kHex[bits & 0xF]);
      bits >>= 4;
    }
  }
  return id;
}

}  // namespace chat
