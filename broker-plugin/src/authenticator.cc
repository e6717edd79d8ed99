// Connect-time authentication of devices and services.
#include "authenticator.h"

#include "chat/topics.h"

namespace chat::plugin {

namespace {
AuthDecision Refuse(std::string reason) { return AuthDecision{false, std::move(reason)}; }
}  // namespace

Authenticator::Authenticator(SigningKey key, TokenRegistry& registry)
    : verifier_(std::move(key)), registry_(registry) {}

AuthDecision Authenticator::Check(std::string_view username, std::string_view password,
                                  std::string_view client_id, int64_t now_s) const {
  if (username.empty()) return Refuse("missing username");
  if (password.empty()) return Refuse("missing password");
  TokenCheck check = verifier_.Verify(password, now_s);
  if (!check.ok()) return Refuse(std::string(TokenErrorName(check.error)));
  const TokenClaims& claims = check.claims;

  if (username.starts_with(kServicePrefix)) {
    if (!claims.service) return Refuse("device token used for a service");
    if (username.substr(kServicePrefix.size()) != claims.user) {
      return Refuse("token issued for another service");
    }
    if (client_id != username) return Refuse("client id must equal the service username");
    return AuthDecision{true, {}};
  }

  if (claims.service) return Refuse("service token used for a device");
  if (username != claims.user) return Refuse("token issued for another user");
  if (client_id != ClientIdFor(claims.user, claims.device)) {
    return Refuse("client id is not " + ClientIdFor(claims.user, claims.device));
  }
  Registration registration = registry_.Check(claims.jti, claims.user, claims.device);
  if (registration.status != RegistrationStatus::kActive) {
    std::string reason(RegistrationStatusName(registration.status));
    if (!registration.detail.empty()) reason += " (" + registration.detail + ")";
    return Refuse(std::move(reason));
  }
  return AuthDecision{true, {}};
}

}  // namespace chat::plugin
