// Topic construction and parsing.
#include "chat/topics.h"

#include "chat/ids.h"

namespace chat {

namespace {
std::string Join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) {
    if (!out.empty()) out.push_back('/');
    out.append(p);
  }
  return out;
}
}  // namespace

std::string UpTopic(std::string_view user, std::string_view device) {
  return Join({"chat", "up", user, device});
}
std::string InboxTopic(std::string_view user) { return Join({"chat", "inbox", user}); }
std::string InboxTopic(std::string_view user, std::string_view conv) {
  return Join({"chat", "inbox", user, conv});
}
std::string DeviceTopic(std::string_view user, std::string_view device) {
  return Join({"chat", "dev", user, device});
}
std::string PresenceTopic(std::string_view user) {
  return std::string(kPresencePrefix) + std::string(user);
}

std::string ClientIdFor(std::string_view user, std::string_view device) {
  std::string id(user);
  id.push_back(':');
  id.append(device);
  return id;
}

std::optional<DeviceAddress> ParseUpTopic(std::string_view topic) {
  static constexpr std::string_view kPrefix = "chat/up/";
  if (topic.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view rest = topic.substr(kPrefix.size());
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view user = rest.substr(0, slash);
  std::string_view device = rest.substr(slash + 1);
  if (!IsValidId(user) || !IsValidId(device)) return std::nullopt;
  return DeviceAddress{std::string(user), std::string(device)};
}

std::string_view ConversationOfTopic(std::string_view topic) {
  static constexpr std::string_view kPrefix = "chat/inbox/";
  if (!topic.starts_with(kPrefix)) return {};
  std::string_view rest = topic.substr(kPrefix.size());
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return {};
  std::string_view conv = rest.substr(slash + 1);
  if (!IsValidId(rest.substr(0, slash)) || !IsValidId(conv)) return {};
  return conv;
}

}  // namespace chat
