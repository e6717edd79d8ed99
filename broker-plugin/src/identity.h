// Who a connected client is, as the broker vouches for it (docs/PROTOCOL.md,
// sections 2 and 3): derived from the CONNECT username and client id.
#pragma once

#include <string_view>

namespace chat::plugin {

// A client's identity. The views point into the strings given to IdentityOf
// and are valid only as long as those are (inside one broker callback).
struct Identity {
  enum class Kind { kNone, kDevice, kService };
  Kind kind = Kind::kNone;
  std::string_view user;    // device: the user id; service: the service name
  std::string_view device;  // device: the device id; empty otherwise

  bool is_device() const { return kind == Kind::kDevice; }
  bool is_service() const { return kind == Kind::kService; }
};

// A device when the client id is "{u}:{d}" with valid ids and the username is
// {u}; a service when username and client id are both "svc:{name}" with a
// valid name; kNone (allowed nothing) otherwise. Cheap string splitting, no
// state: called on every ACL check. That the token binds the same names is
// Authenticator's job at connect.
Identity IdentityOf(std::string_view username, std::string_view client_id);

}  // namespace chat::plugin
