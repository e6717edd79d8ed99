// Whether a device token is still registered: the revocation half of the
// connect check (docs/PROTOCOL.md, section 3). The signature half is local.
#pragma once

#include <string>
#include <string_view>

namespace chat::plugin {

enum class RegistrationStatus {
  kActive,        // registered, not revoked; device and enabled user exist
  kUnknownToken,  // no such jti for that user and device
  kRevoked,
  kUnknownDevice,
  kUnknownUser,
  kUserDisabled,
  kUnavailable,  // the registry could not answer: callers must refuse
};

// Stable lowercase name, used as the refusal reason in the broker log.
std::string_view RegistrationStatusName(RegistrationStatus status);

struct Registration {
  RegistrationStatus status = RegistrationStatus::kUnavailable;
  std::string detail;  // why the registry was unavailable; empty otherwise
};

// Answers "may this device token still connect?". Implementations must not
// cache a refusal (a newly provisioned device must connect at once) and must
// answer kUnavailable, never kActive, when in doubt.
class TokenRegistry {
 public:
  virtual ~TokenRegistry() = default;
  virtual Registration Check(std::string_view jti, std::string_view user,
                             std::string_view device) = 0;
  // Called at the end of every broker loop pass: checks of one pass may
  // share one read snapshot, which ends here.
  virtual void EndSnapshot() {}
};

}  // namespace chat::plugin
