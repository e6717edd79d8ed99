// The connect check (docs/PROTOCOL.md, sections 2 and 3): username, password
// (an access token) and client id must all name the same identity.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "chat/token.h"
#include "token_registry.h"

namespace chat::plugin {

struct AuthDecision {
  bool allowed = false;
  std::string reason;  // why it was refused, for the broker log; empty when allowed
};

// Verifies the token locally (HS256 with the deployment key, expiry, claim
// shapes), binds it to the username and client id, and, for device tokens
// only, asks the registry whether the jti is still registered. Every refusal
// carries a short reason; the client learns only "not authorized". Holds no
// per-client state and caches nothing. Called on the broker's thread; the
// registry lookup is the only I/O.
class Authenticator {
 public:
  Authenticator(SigningKey key, TokenRegistry& registry);

  // `username` and `password` are empty when the client sent none.
  AuthDecision Check(std::string_view username, std::string_view password,
                     std::string_view client_id, int64_t now_s) const;

 private:
  TokenVerifier verifier_;
  TokenRegistry& registry_;
};

}  // namespace chat::plugin
