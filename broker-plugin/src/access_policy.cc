// Topic access rules for devices and services.
#include "access_policy.h"

#include <array>

#include "chat/ids.h"
#include "chat/protocol.h"
#include "chat/topics.h"

namespace chat::plugin {

namespace {

// The levels of a topic or filter, split on '/'. Our topics have at most four
// levels; anything longer is marked `too_long` and never matches a rule.
struct Levels {
  std::array<std::string_view, 4> level;
  std::size_t count = 0;
  bool too_long = false;
};

Levels Split(std::string_view topic) {
  Levels out;
  while (true) {
    auto slash = topic.find('/');
    if (out.count == out.level.size()) {
      out.too_long = true;
      return out;
    }
    out.level[out.count++] = topic.substr(0, slash);
    if (slash == std::string_view::npos) return out;
    topic.remove_prefix(slash + 1);
  }
}

// chat/{kind}/{user}[/...] with the first three levels equal.
bool IsUserTopic(const Levels& l, std::string_view kind, std::string_view user) {
  return !l.too_long && l.count >= 3 && l.level[0] == "chat" && l.level[1] == kind &&
         l.level[2] == user;
}

bool IsOwnDeviceTopic(const Levels& l, std::string_view kind, const Identity& who) {
  return IsUserTopic(l, kind, who.user) && l.count == 4 && l.level[3] == who.device;
}

// chat/inbox/{user} or any topic below it (concrete topics, for READ checks).
bool IsInboxOf(std::string_view topic, std::string_view user) {
  constexpr std::string_view kInbox = "chat/inbox/";
  if (!topic.starts_with(kInbox)) return false;
  topic.remove_prefix(kInbox.size());
  if (!topic.starts_with(user)) return false;
  topic.remove_prefix(user.size());
  return topic.empty() || (topic.size() > 1 && topic.front() == '/');
}

bool IsServiceReadable(std::string_view topic) {
  return topic.starts_with("chat/up/") || topic.starts_with("chat/sys/") ||
         topic == kBrokerNoticeLogTopic;
}

}  // namespace

AccessPolicy::AccessPolicy(std::size_t max_payload_bytes) : max_payload_bytes_(max_payload_bytes) {}

AclDecision AccessPolicy::Decide(const Identity& who, std::string_view topic, Access access,
                                 std::size_t payload_bytes, bool retain) const {
  switch (who.kind) {
    case Identity::Kind::kNone: return AclDecision::kDeny;
    case Identity::Kind::kDevice: return DecideForDevice(who, topic, access, payload_bytes, retain);
    case Identity::Kind::kService: break;
  }
  bool allowed = false;
  switch (access) {
    case Access::kWrite: allowed = topic.starts_with("$CONTROL/chat/") && !retain; break;
    case Access::kSubscribe:
    case Access::kRead: allowed = IsServiceReadable(topic); break;
    case Access::kUnsubscribe: allowed = true; break;
  }
  return allowed ? AclDecision::kAllow : AclDecision::kDeny;
}

AclDecision AccessPolicy::DecideForDevice(const Identity& who, std::string_view topic,
                                          Access access, std::size_t payload_bytes,
                                          bool retain) const {
  Levels l = Split(topic);
  bool allowed = false;
  switch (access) {
    case Access::kWrite:
      if (!IsOwnDeviceTopic(l, "up", who) || retain) return AclDecision::kDeny;
      return payload_bytes > max_payload_bytes_ ? AclDecision::kDenyOversize : AclDecision::kAllow;
    case Access::kSubscribe:
      // chat/inbox/{u}, chat/inbox/{u}/# (which also matches chat/inbox/{u}),
      // chat/inbox/{u}/+, chat/inbox/{u}/{c}; chat/dev/{u}/{d}.
      if (IsUserTopic(l, "inbox", who.user)) {
        allowed =
            l.count == 3 ||
            (l.count == 4 && (l.level[3] == "#" || l.level[3] == "+" || IsValidId(l.level[3])));
      } else {
        allowed = IsOwnDeviceTopic(l, "dev", who);
      }
      break;
    case Access::kRead:
      // Concrete topics: the user's inbox at any depth below it, the own dev topic.
      allowed = IsInboxOf(topic, who.user) || IsOwnDeviceTopic(l, "dev", who);
      break;
    case Access::kUnsubscribe: allowed = true; break;
  }
  return allowed ? AclDecision::kAllow : AclDecision::kDeny;
}

std::string AccessPolicy::OversizeError(std::size_t payload_bytes) const {
  return protocol::EncodeError({.code = protocol::ErrorCode::kPayloadTooLarge,
                                .message = "payload of " + std::to_string(payload_bytes) +
                                           " bytes exceeds the limit of " +
                                           std::to_string(max_payload_bytes_) + " bytes",
                                .req_id = {},
                                .cmid = {},
                                .limit = max_payload_bytes_});
}

}  // namespace chat::plugin
