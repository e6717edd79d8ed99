// Presence of the command consumer, and the devices refused in its absence.
#include "command_consumer.h"

#include <algorithm>

#include "chat/json_writer.h"
#include "chat/protocol.h"

namespace chat::plugin {

namespace {

// Whether a subscription to `filter` receives every device's commands:
// chat/up/+/+ (chatd's), chat/up/#, chat/up/+/# or chat/up/+/+/#. The ACL
// grants services no filter above chat/up/ (no #, no chat/#).
bool CoversEveryUpTopic(std::string_view filter) {
  constexpr std::string_view kUpPrefix = "chat/up/";
  if (!filter.starts_with(kUpPrefix)) return false;
  filter.remove_prefix(kUpPrefix.size());
  return filter == "+/+" || filter == "#" || filter == "+/#" || filter == "+/+/#";
}

}  // namespace

bool CommandConsumerTracker::Subscribed(ConnectionId connection, const Identity& who,
                                        std::string_view filter) {
  if (!who.is_service() || !CoversEveryUpTopic(filter) || connection == 0) return false;
  if (std::find(consumers_.begin(), consumers_.end(), connection) != consumers_.end()) return false;
  bool was_present = present();
  consumers_.push_back(connection);
  return !was_present;
}

void CommandConsumerTracker::Unsubscribed(ConnectionId connection, std::string_view filter) {
  if (CoversEveryUpTopic(filter)) Forget(connection);
}

void CommandConsumerTracker::Disconnected(ConnectionId connection) { Forget(connection); }

void CommandConsumerTracker::Forget(ConnectionId connection) {
  consumers_.erase(std::remove(consumers_.begin(), consumers_.end(), connection), consumers_.end());
}

std::string ReadyEvent() {
  JsonObjectWriter event;
  event.String("type", protocol::event::kReady);
  return event.Finish();
}

std::string UnavailableError() {
  return protocol::EncodeError({.code = protocol::ErrorCode::kUnavailable,
                                .message = "the chat service is not connected; resend on "
                                           "`ready` or after retry_after_ms",
                                .req_id = {},
                                .cmid = {},
                                .limit = std::nullopt},
                               protocol::kUnavailableRetryAfterMs);
}

}  // namespace chat::plugin
