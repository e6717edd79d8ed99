// The MQTT topic layout of the product (docs/PROTOCOL.md, "Topics").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chat {

// Where chatd hands committed batches to the broker plugin for fan-out.
inline constexpr std::string_view kFanoutTopic = "$CONTROL/chat/v1/fanout";
// What chatd subscribes to: every device's up topic.
inline constexpr std::string_view kAllUpTopics = "chat/up/+/+";
// What chatd subscribes to for presence: the plugin's retained per-user state.
inline constexpr std::string_view kAllPresenceTopics = "chat/sys/presence/+";
inline constexpr std::string_view kPresencePrefix = "chat/sys/presence/";
// The plugin's retained marker of the current broker run (presence `boot`).
inline constexpr std::string_view kBrokerBootTopic = "chat/sys/broker";
// Usernames of service identities start with this prefix, which no user id can contain.
inline constexpr std::string_view kServicePrefix = "svc:";

struct DeviceAddress {
  std::string user;
  std::string device;
  bool operator==(const DeviceAddress&) const = default;
};

// chat/up/{u}/{d}: a device's commands to chatd.
std::string UpTopic(std::string_view user, std::string_view device);
// chat/inbox/{u}: user-level events.
std::string InboxTopic(std::string_view user);
// chat/inbox/{u}/{c}: events of conversation c for every device of u.
std::string InboxTopic(std::string_view user, std::string_view conv);
// chat/dev/{u}/{d}: replies and errors for one device.
std::string DeviceTopic(std::string_view user, std::string_view device);
// The MQTT client id a device must use: "{u}:{d}".
std::string ClientIdFor(std::string_view user, std::string_view device);

// Parses chat/up/{u}/{d} with valid ids; nullopt for anything else.
std::optional<DeviceAddress> ParseUpTopic(std::string_view topic);

}  // namespace chat
