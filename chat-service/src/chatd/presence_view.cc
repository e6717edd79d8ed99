// Presence state from the plugin's retained presence messages.
#include "chatd/presence_view.h"

#include <nlohmann/json.hpp>

#include "chat/ids.h"
#include "chat/topics.h"

namespace chat {

bool PresenceView::Apply(std::string_view topic, std::string_view payload) {
  auto event = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!event.is_object() || !event.contains("boot") || !event["boot"].is_number_integer()) {
    return false;
  }
  int64_t boot = event["boot"].get<int64_t>();
  if (topic == kBrokerBootTopic) {
    std::lock_guard lock(mutex_);
    current_boot_ = boot;
    return true;
  }
  if (!event.contains("user") || !event["user"].is_string() || !event.contains("online") ||
      !event["online"].is_boolean()) {
    return false;
  }
  std::string user = event["user"].get<std::string>();
  if (!IsValidId(user) || topic != std::string(kPresencePrefix) + user) return false;
  std::lock_guard lock(mutex_);
  if (event["online"].get<bool>()) {
    online_boot_[user] = boot;
  } else {
    online_boot_.erase(user);
  }
  return true;
}

bool PresenceView::Handles(std::string_view topic) {
  return topic.starts_with(kPresencePrefix) || topic == kBrokerBootTopic;
}

bool PresenceView::IsOnline(const std::string& user) const {
  std::lock_guard lock(mutex_);
  auto it = online_boot_.find(user);
  return it != online_boot_.end() && it->second == current_boot_;
}

}  // namespace chat
