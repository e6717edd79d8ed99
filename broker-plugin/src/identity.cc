// Identity derivation from username and client id.
#include "identity.h"

#include "chat/ids.h"
#include "chat/topics.h"

namespace chat::plugin {

Identity IdentityOf(std::string_view username, std::string_view client_id) {
  Identity identity;
  if (username.starts_with(kServicePrefix)) {
    std::string_view name = username.substr(kServicePrefix.size());
    if (client_id == username && IsValidId(name)) {
      identity.kind = Identity::Kind::kService;
      identity.user = name;
    }
    return identity;
  }
  auto colon = client_id.find(':');
  if (colon == std::string_view::npos) return identity;
  std::string_view user = client_id.substr(0, colon);
  std::string_view device = client_id.substr(colon + 1);
  if (user == username && IsValidId(user) && IsValidId(device)) {
    identity.kind = Identity::Kind::kDevice;
    identity.user = user;
    identity.device = device;
  }
  return identity;
}

}  // namespace chat::plugin
