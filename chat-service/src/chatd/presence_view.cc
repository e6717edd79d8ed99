// Presence state from the plugin's presence changes and snapshot pages.
#include "chatd/presence_view.h"

#include <nlohmann/json.hpp>

#include "chat/ids.h"
#include "chat/topics.h"

namespace chat {

namespace {

// A user id in a page mark: "" (the start) is allowed only as `after`.
bool IsMarkId(const nlohmann::json& value, bool may_be_empty) {
  if (!value.is_string()) return false;
  const auto& id = value.get_ref<const std::string&>();
  return (may_be_empty && id.empty()) || IsValidId(id);
}

std::optional<PresencePageMark> PageMarkOf(const nlohmann::json& event) {
  auto snapshot = event.find("snapshot");
  if (snapshot == event.end() || !snapshot->is_object()) return std::nullopt;
  auto after = snapshot->find("after");
  auto until = snapshot->find("until");
  if (after == snapshot->end() || !IsMarkId(*after, true)) return std::nullopt;
  PresencePageMark mark{after->get<std::string>(), std::nullopt};
  if (until != snapshot->end()) {
    if (!IsMarkId(*until, false) || until->get_ref<const std::string&>() <= mark.after) {
      return std::nullopt;
    }
    mark.until = until->get<std::string>();
  }
  return mark;
}

}  // namespace

std::optional<PresencePageMark> ParsePresencePageMark(std::string_view payload) {
  auto event = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!event.is_object()) return std::nullopt;
  return PageMarkOf(event);
}

bool PresenceView::Apply(std::string_view topic, std::string_view payload) {
  auto event = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!event.is_object() || !event.contains("boot") || !event["boot"].is_number_integer()) {
    return false;
  }
  int64_t boot = event["boot"].get<int64_t>();
  if (topic == kBrokerBootTopic) {
    std::optional<PresencePageMark> mark = PageMarkOf(event);
    if (!mark && event.contains("snapshot")) return false;
    std::lock_guard lock(mutex_);
    current_boot_ = boot;
    if (mark) {
      auto first = online_boot_.upper_bound(mark->after);
      auto last = mark->until ? online_boot_.upper_bound(*mark->until) : online_boot_.end();
      online_boot_.erase(first, last);
    }
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
