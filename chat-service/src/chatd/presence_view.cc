// Presence state from the plugin's retained presence messages.
#include "chatd/presence_view.h"

#include <nlohmann/json.hpp>

#include "chat/ids.h"

namespace chat {

bool PresenceView::Apply(std::string_view payload) {
  auto event = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!event.is_object() || !event.contains("user") || !event["user"].is_string() ||
      !event.contains("online") || !event["online"].is_boolean()) {
    return false;
  }
  std::string user = event["user"].get<std::string>();
  if (!IsValidId(user)) return false;
  std::lock_guard lock(mutex_);
  if (event["online"].get<bool>()) {
    online_.insert(user);
  } else {
    online_.erase(user);
  }
  return true;
}

bool PresenceView::IsOnline(const std::string& user) const {
  std::lock_guard lock(mutex_);
  return online_.count(user) > 0;
}

}  // namespace chat
