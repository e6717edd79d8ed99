// The protocol's vocabulary and limits (docs/PROTOCOL.md): command and event
// types, system-message actions, error codes and limits, in one place for
// chatd, the broker plugin and the client library. Topics live beside it in
// chat/topics.h, the fan-out and presence formats in chat/fanout_frames.h and
// chat/presence_format.h. The products spell no protocol string anywhere
// else; tests and the benchmark spell the wire as a device would see it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::protocol {

// --- Commands, device -> chat/up/{u}/{d} (section 5) -------------------------
namespace command {
inline constexpr std::string_view kSend = "send";
inline constexpr std::string_view kConvCreate = "conv.create";
inline constexpr std::string_view kGroupCreate = "group.create";
inline constexpr std::string_view kGroupAdd = "group.add";
inline constexpr std::string_view kGroupRemove = "group.remove";
inline constexpr std::string_view kGroupLeave = "group.leave";
inline constexpr std::string_view kGroupRole = "group.role";
inline constexpr std::string_view kSync = "sync";
inline constexpr std::string_view kHistory = "history";
inline constexpr std::string_view kDelivered = "delivered";
inline constexpr std::string_view kRead = "read";
inline constexpr std::string_view kReceipts = "receipts";
inline constexpr std::string_view kTyping = "typing";
inline constexpr std::string_view kPresenceWatch = "presence.watch";
inline constexpr std::string_view kPresenceSet = "presence.set";
inline constexpr std::string_view kBlock = "block";
inline constexpr std::string_view kUnblock = "unblock";
inline constexpr std::string_view kBlocks = "blocks";
inline constexpr std::string_view kMute = "mute";
inline constexpr std::string_view kUnmute = "unmute";
inline constexpr std::string_view kSettingsSet = "settings.set";
inline constexpr std::string_view kSettingsGet = "settings.get";
inline constexpr std::string_view kPushRegister = "push.register";
inline constexpr std::string_view kPushUnregister = "push.unregister";
}  // namespace command

// --- Events, backend -> device (section 6) -----------------------------------
namespace event {
inline constexpr std::string_view kMsg = "msg";
inline constexpr std::string_view kAccepted = "accepted";
inline constexpr std::string_view kConv = "conv";
inline constexpr std::string_view kConvNew = "conv.new";
inline constexpr std::string_view kError = "error";
inline constexpr std::string_view kReceipt = "receipt";    // a member's cursors moved
inline constexpr std::string_view kReceipts = "receipts";  // reply: who read / received a seq
inline constexpr std::string_view kTyping = "typing";
inline constexpr std::string_view kSync = "sync";          // reply: one page of catch-up
inline constexpr std::string_view kHistory = "history";    // reply: a page of older messages
inline constexpr std::string_view kReady = "ready";        // the plugin: chatd is back, resend now
inline constexpr std::string_view kPresence = "presence";  // people's presence, to a watcher
inline constexpr std::string_view kBlocks = "blocks";      // the users a user has blocked
inline constexpr std::string_view kMute = "mute";          // a conversation's mute changed
inline constexpr std::string_view kSettings = "settings";  // a user's privacy settings
inline constexpr std::string_view kPush = "push";          // a device's push registration
inline constexpr std::string_view kHead =
    "head";  // a conversation's latest seq: live copies were shed
}  // namespace event

// `state` of a person in a `presence` event, and of `presence.set`.
namespace presence_state {
inline constexpr std::string_view kOnline = "online";
inline constexpr std::string_view kAway = "away";
inline constexpr std::string_view kOffline = "offline";
inline constexpr std::string_view kUnknown = "unknown";  // hidden, not allowed, or no such user
}  // namespace presence_state

// `kind` of a system message, and the `action`s of its `event` (section 5).
inline constexpr std::string_view kSystemKind = "system";
namespace action {
inline constexpr std::string_view kGroupCreated = "group.created";
inline constexpr std::string_view kMemberAdded = "member.added";
inline constexpr std::string_view kMemberRemoved = "member.removed";
inline constexpr std::string_view kMemberLeft = "member.left";
inline constexpr std::string_view kRoleChanged = "role.changed";
inline constexpr std::string_view kOwnerChanged = "owner.changed";
}  // namespace action

// `kind` of a conversation, and a member's `role` in a group (section 5).
namespace kind {
inline constexpr std::string_view kDirect = "direct";
inline constexpr std::string_view kGroup = "group";
}  // namespace kind
namespace role {
inline constexpr std::string_view kOwner = "owner";
inline constexpr std::string_view kAdmin = "admin";
inline constexpr std::string_view kMember = "member";
}  // namespace role

// `presence` of the privacy settings: who sees a user's presence (section 5).
namespace audience {
inline constexpr std::string_view kEveryone = "everyone";  // who shares a conversation
inline constexpr std::string_view kContacts = "contacts";  // direct-chat partners only
inline constexpr std::string_view kNobody = "nobody";
}  // namespace audience

// `push_preview` of the settings: what a push alert shows (section 5, "Push").
namespace push_preview {
inline constexpr std::string_view kFull = "full";      // sender and message text
inline constexpr std::string_view kSender = "sender";  // only who wrote
inline constexpr std::string_view kNone = "none";      // only "New message"
}  // namespace push_preview

// Push platforms a device registers with (section 5, "Push").
namespace push_platform {
inline constexpr std::string_view kFcm = "fcm";
inline constexpr std::string_view kApns = "apns";
}  // namespace push_platform

// --- Error codes (section 7) -------------------------------------------------
enum class ErrorCode {
  kBadJson,
  kInvalidUtf8,
  kUnknownType,
  kBadField,
  kBodyTooLarge,
  kInvalidRecipient,
  kUnknownUser,
  kUnknownConversation,
  kNotMember,
  kForbidden,
  kNotGroup,
  kGroupFull,
  kPayloadTooLarge,  // from the broker plugin
  kInternal,
  kUnavailable,  // from the broker plugin: chatd is away, the command was dropped
  kBlocked,      // one of the two users has blocked the other
  kRateLimited,  // from the broker plugin: over a rate limit, the command was dropped
};

// The wire name, e.g. "unknown_user".
std::string_view ErrorCodeName(ErrorCode code);
// The code a wire name stands for; nullopt for a name this release does not know.
std::optional<ErrorCode> ParseErrorCode(std::string_view name);
// Whether the same request may succeed when resent unchanged (`internal`,
// `unavailable`, `rate_limited`).
inline bool IsRetryable(ErrorCode code) {
  return code == ErrorCode::kInternal || code == ErrorCode::kUnavailable ||
         code == ErrorCode::kRateLimited;
}

// The `error` event (section 6), as chatd and the broker plugin send it:
// {"type":"error","req_id":...,"code":...,"message":...,"cmid":...,"limit":...,
// "retry_after_ms":...}: req_id and cmid when known, limit for
// payload_too_large only, retry_after_ms for unavailable and rate_limited only.
struct ErrorEvent {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string req_id;
  std::string cmid;
  std::optional<std::size_t> limit;
};
std::string EncodeError(const ErrorEvent& error,
                        std::optional<int64_t> retry_after_ms = std::nullopt);

// --- Limits (section 9) ------------------------------------------------------

// The broker's `max_packet_size`, in every configuration the project ships:
// the most any client, device or service, may make the broker buffer for one
// packet. A device that declares more is disconnected by the broker before
// it reads a byte of it.
inline constexpr std::size_t kMaxPacketBytes = 1 << 20;
// What chatd puts in one publish (a fan-out control payload): the packet
// limit less room for the topic and the MQTT header.
inline constexpr std::size_t kMaxServicePayloadBytes = kMaxPacketBytes - 4096;
// The largest command a device may publish (the plugin's
// plugin_opt_max_payload_bytes by default); larger ones get
// `payload_too_large` and are dropped by the broker.
inline constexpr std::size_t kDefaultMaxCommandBytes = 65536;
// `retry_after_ms` of the plugin's `unavailable`: when a device that missed
// the `ready` should try again by itself.
inline constexpr int64_t kUnavailableRetryAfterMs = 1000;
// chatd's max_body_bytes and max_group_members, by default.
inline constexpr std::size_t kDefaultMaxBodyBytes = 16384;
inline constexpr std::size_t kDefaultMaxGroupMembers = 1000;
// A group's title, in bytes of UTF-8.
inline constexpr std::size_t kMaxTitleBytes = 200;
// Users one device may watch at once (`presence.watch`).
inline constexpr std::size_t kMaxWatchedUsers = 256;
// A push registration's `app` (bundle id or package name) and `token`, in bytes.
inline constexpr std::size_t kMaxPushAppBytes = 255;
inline constexpr std::size_t kMaxPushTokenBytes = 4096;
// `limit` of sync and history: default and maximum.
inline constexpr int64_t kDefaultSyncLimit = 1000;
inline constexpr int64_t kMaxSyncLimit = 5000;
inline constexpr int64_t kDefaultHistoryLimit = 50;
inline constexpr int64_t kMaxHistoryLimit = 500;
// A sync page's messages, as JSON: half the largest publish, the rest is room
// for the conversation list.
inline constexpr std::size_t kMaxSyncPageBytes = kMaxServicePayloadBytes / 2;
// At most one `typing` per device and conversation is forwarded per interval.
inline constexpr int64_t kTypingIntervalMs = 2000;

}  // namespace chat::protocol
