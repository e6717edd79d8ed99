// Whether the consumer of device commands (chatd) is there to take them, and
// which devices to tell when it comes back (docs/PROTOCOL.md, section 4,
// "Commands while chatd is away"). Pure; no broker calls.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "chat/topics.h"
#include "connection_map.h"
#include "identity.h"

namespace chat::plugin {

// The command consumer is present while at least one service connection
// whose subscription to every up topic (chatd's chat/up/+/+, chat/topics.h
// kAllUpTopics, or chat/up/#, chat/up/+/#, chat/up/+/+/#) the plugin granted
// is live: from that grant until the connection's disconnect, or its
// unsubscribe of that filter (another such filter of the same connection is
// not tracked separately: one unsubscribe ends it). A restarted
// broker starts with none, even when the consumer's session is restored from
// persistence: the consumer subscribes again on every connect (chatd does),
// and that grant is what counts.
//
// While none is present, AdmitCommand refuses every device command and
// remembers the refused device (at most `max_waiting_devices`; past that,
// devices are refused without being remembered and fall back on the
// `retry_after_ms` of their `unavailable`). The grant that makes the consumer
// present again hands back every remembered device, once, and forgets them.
//
// Contract with the caller: Subscribed when a SUBSCRIBE's filter was granted,
// Unsubscribed when an UNSUBSCRIBE's filter was, Disconnected when a
// connection is gone; all are idempotent and ignore what does not concern
// the consumer. Not thread-safe: the plugin calls it on the broker's thread.
class CommandConsumerTracker {
 public:
  static constexpr std::size_t kDefaultMaxWaitingDevices = 100000;

  explicit CommandConsumerTracker(std::size_t max_waiting_devices = kDefaultMaxWaitingDevices);

  // Returns the devices to tell `ready`, in id order: non-empty only when
  // this grant ends an absence in which devices were refused.
  std::vector<DeviceAddress> Subscribed(ConnectionId connection, const Identity& who,
                                        std::string_view filter);
  void Unsubscribed(ConnectionId connection, std::string_view filter);
  void Disconnected(ConnectionId connection);

  // True when a command of the device `who` may pass to the consumer; false
  // when it must be refused (then the device is remembered).
  bool AdmitCommand(const Identity& who);

  bool present() const { return !consumers_.empty(); }
  // Refused devices remembered for the next `ready`.
  std::size_t waiting_count() const { return waiting_.size(); }

 private:
  void Forget(ConnectionId connection);

  const std::size_t max_waiting_devices_;
  std::vector<ConnectionId> consumers_;  // live consumer connections; one, two in a takeover
  struct AddressHash {
    std::size_t operator()(const DeviceAddress& a) const {
      return std::hash<std::string>{}(a.user) * 31 + std::hash<std::string>{}(a.device);
    }
  };
  std::unordered_set<DeviceAddress, AddressHash> waiting_;
};

// The event that tells a refused device the consumer is back:
// {"type":"ready"} (PROTOCOL.md, section 6).
std::string ReadyEvent();
// The `error` a refused device gets: code `unavailable`, with
// `retry_after_ms` (PROTOCOL.md, section 7).
std::string UnavailableError();

}  // namespace chat::plugin
