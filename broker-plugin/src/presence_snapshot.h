// The answer to a service's presence snapshot request (docs/PROTOCOL.md,
// section 4): the users online on this broker now, one page per request,
// for the requesting client only. Pure; the broker glue publishes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "identity.h"
#include "presence_tracker.h"

namespace chat::plugin {

// States per page. Bounds the work of one broker callback, and the messages
// queued at once for the requester, well inside mosquitto's
// max_queued_messages (which drops QoS 1 messages past it).
inline constexpr std::size_t kPresencePageUsers = 500;

struct OutgoingMessage {
  std::string topic;
  std::string payload;
};

struct PresenceSnapshotAnswer {
  bool ok = false;
  std::string error;                      // why the request was refused
  std::vector<OutgoingMessage> messages;  // QoS 1, not retained, in this order, to the requester
};

// Answers one $CONTROL/chat/v1/presence request, {"after":"<user id>"} or
// {"after":""} (also {}) for the first page, from a service identity only:
//   1. on chat/sys/broker, the page mark
//      {"boot":B,"snapshot":{"after":"<after>","until":"<last user listed>",
//      "users":<states that follow>}}, without "until" on the last page;
//   2. on chat/sys/presence/{u}, the state of each online user in
//      (after, until] (to the end on the last page), in id order, stamped
//      `now_ms`, in the format of live changes.
// The requester asks for the next page with after = until. A refused request
// answers nothing.
PresenceSnapshotAnswer AnswerPresenceRequest(const Identity& requester, std::string_view request,
                                             const PresenceTracker& tracker, int64_t boot_ms,
                                             int64_t now_ms,
                                             std::size_t page_users = kPresencePageUsers);

}  // namespace chat::plugin
