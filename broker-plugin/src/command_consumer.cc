// Presence of the command consumer, and the devices refused in its absence.
#include "command_consumer.h"

#include <algorithm>
#include <tuple>

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

CommandConsumerTracker::CommandConsumerTracker(std::size_t max_waiting_devices)
    : max_waiting_devices_(max_waiting_devices) {}

std::vector<DeviceAddress> CommandConsumerTracker::Subscribed(ConnectionId connection,
                                                              const Identity& who,
                                                              std::string_view filter) {
  if (!who.is_service() || !CoversEveryUpTopic(filter) || connection == 0) return {};
  if (std::find(consumers_.begin(), consumers_.end(), connection) != consumers_.end()) return {};
  bool was_present = present();
  consumers_.push_back(connection);
  if (was_present) return {};
  std::vector<DeviceAddress> ready(waiting_.begin(), waiting_.end());
  waiting_.clear();
  std::sort(ready.begin(), ready.end(), [](const DeviceAddress& a, const DeviceAddress& b) {
    return std::tie(a.user, a.device) < std::tie(b.user, b.device);
  });
  return ready;
}

void CommandConsumerTracker::Unsubscribed(ConnectionId connection, std::string_view filter) {
  if (CoversEveryUpTopic(filter)) Forget(connection);
}

void CommandConsumerTracker::Disconnected(ConnectionId connection) { Forget(connection); }

void CommandConsumerTracker::Forget(ConnectionId connection) {
  consumers_.erase(std::remove(consumers_.begin(), consumers_.end(), connection), consumers_.end());
}

bool CommandConsumerTracker::AdmitCommand(const Identity& who) {
  if (present() || !who.is_device()) return true;
  if (waiting_.size() < max_waiting_devices_) {
    waiting_.insert({std::string(who.user), std::string(who.device)});
  }
  return false;
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
