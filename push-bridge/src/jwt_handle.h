// libjwt's jwt_t in RAII, and signing with a PEM key: shared by the FCM
// assertion and the APNs provider token.
#pragma once

#include <jwt.h>

#include <memory>
#include <string>

#include "chat/status.h"

namespace chat::push {

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtHandle = std::unique_ptr<jwt_t, JwtDeleter>;

// An empty token; throws std::bad_alloc when libjwt cannot allocate.
JwtHandle NewJwt();

// The signed compact form of `jwt` (libjwt adds "typ":"JWT" to the header).
StatusOr<std::string> SignJwt(const JwtHandle& jwt, jwt_alg_t alg, const std::string& pem_key);

}  // namespace chat::push
