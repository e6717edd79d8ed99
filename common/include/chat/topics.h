// The MQTT topic layout of the product (docs/PROTOCOL.md, "Topics").
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace chat {

// Where chatd hands committed batches to the broker plugin for fan-out, in the
// length-prefixed format of chat/fanout_frames.h.
inline constexpr std::string_view kFanoutTopic = "$CONTROL/chat/v2/fanout";
// What chatd subscribes to: every device's up topic.
inline constexpr std::string_view kAllUpTopics = "chat/up/+/+";
// What chatd subscribes to for presence: the plugin's per-user state changes
// (not retained).
inline constexpr std::string_view kAllPresenceTopics = "chat/sys/presence/+";
inline constexpr std::string_view kPresencePrefix = "chat/sys/presence/";
// Where a service asks the plugin for the users online on that broker now
// (a presence snapshot, answered page by page to the requester only).
inline constexpr std::string_view kPresenceRequestTopic = "$CONTROL/chat/v1/presence";
// Service -> plugin: disconnect a device's connection on this node (the same
// client id is connected to another node too: PROTOCOL.md section 4).
inline constexpr std::string_view kKickTopic = "$CONTROL/chat/v1/kick";
// The plugin's retained marker of the current broker run (presence `boot`);
// also carries the page marks of a presence snapshot, sent to the requester only.
inline constexpr std::string_view kBrokerBootTopic = "chat/sys/broker";
// The broker's own notice-level log lines, published there when mosquitto.conf
// says `log_dest topic`: chatd reads its keepalive timeouts from them
// (PROTOCOL.md, "Presence of people"). The only $SYS topic a service may read.
inline constexpr std::string_view kBrokerNoticeLogTopic = "$SYS/broker/log/N";
// Usernames of service identities start with this prefix, which no user id can contain.
inline constexpr std::string_view kServicePrefix = "svc:";

struct DeviceAddress {
  std::string user;
  std::string device;
  auto operator<=>(const DeviceAddress&) const = default;
};

// chat/up/{u}/{d}: a device's commands to chatd.
std::string UpTopic(std::string_view user, std::string_view device);
// chat/inbox/{u}: user-level events.
std::string InboxTopic(std::string_view user);
// chat/inbox/{u}/{c}: events of conversation c for every device of u.
std::string InboxTopic(std::string_view user, std::string_view conv);
// chat/dev/{u}/{d}: replies and errors for one device.
std::string DeviceTopic(std::string_view user, std::string_view device);
// chat/sys/presence/{u}: the plugin's state of u, for services only.
std::string PresenceTopic(std::string_view user);
// The MQTT client id a device must use: "{u}:{d}".
std::string ClientIdFor(std::string_view user, std::string_view device);

// Parses chat/up/{u}/{d} with valid ids; nullopt for anything else.
std::optional<DeviceAddress> ParseUpTopic(std::string_view topic);
// The conversation {c} of chat/inbox/{u}/{c} with valid ids; empty for any
// other topic.
std::string_view ConversationOfTopic(std::string_view topic);

}  // namespace chat
