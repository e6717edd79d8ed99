// The one registry query both engines run, and what its row means.
#pragma once

#include <string_view>

#include "token_registry.h"

namespace chat::plugin {

// One row when the jti was issued for that user and device (?1 jti, ?2 user,
// ?3 device). The joins report why a registered token may no longer connect:
// revoked, device gone, user gone, user disabled (1 each, else 0).
constexpr std::string_view kRegistrationLookupSql =
    "SELECT t.revoked_s IS NOT NULL, d.id IS NULL, u.id IS NULL, COALESCE(u.disabled, 0) "
    "FROM tokens AS t "
    "LEFT JOIN devices AS d ON d.user_id = t.user_id AND d.id = t.device_id "
    "LEFT JOIN users AS u ON u.id = t.user_id "
    "WHERE t.jti = ?1 AND t.user_id = ?2 AND t.device_id = ?3";

inline RegistrationStatus RegistrationFromRow(bool revoked, bool no_device, bool no_user,
                                              bool disabled) {
  if (revoked) return RegistrationStatus::kRevoked;
  if (no_device) return RegistrationStatus::kUnknownDevice;
  if (no_user) return RegistrationStatus::kUnknownUser;
  if (disabled) return RegistrationStatus::kUserDisabled;
  return RegistrationStatus::kActive;
}

}  // namespace chat::plugin
