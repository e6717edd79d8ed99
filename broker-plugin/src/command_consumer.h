// Whether the consumer of device commands (chatd) is there to take them, and
// when it comes back (docs/PROTOCOL.md, section 4, "Commands while chatd is
// away"). Pure; no broker calls.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
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
// While none is present, AdmitCommand refuses every device command. The
// grant that makes the consumer present again says so: the caller then tells
// every connected user `ready` (a returning chatd has lost what it held for
// devices in memory, and refused commands wait for it).
//
// Contract with the caller: Subscribed when a SUBSCRIBE's filter was granted,
// Unsubscribed when an UNSUBSCRIBE's filter was, Disconnected when a
// connection is gone; all are idempotent and ignore what does not concern
// the consumer. Not thread-safe: the plugin calls it on the broker's thread.
class CommandConsumerTracker {
 public:
  // True when this grant ends an absence of the consumer (the first one too).
  bool Subscribed(ConnectionId connection, const Identity& who, std::string_view filter);
  void Unsubscribed(ConnectionId connection, std::string_view filter);
  void Disconnected(ConnectionId connection);

  // True when a command of the device `who` may pass to the consumer; false
  // when it must be refused.
  bool AdmitCommand(const Identity& who) const { return present() || !who.is_device(); }

  bool present() const { return !consumers_.empty(); }

 private:
  void Forget(ConnectionId connection);

  std::vector<ConnectionId> consumers_;  // live consumer connections; one, two in a takeover
};

// The event that tells a user's devices the consumer is back:
// {"type":"ready"} (PROTOCOL.md, section 6).
std::string ReadyEvent();
// The `error` a refused device gets: code `unavailable`, with
// `retry_after_ms` (PROTOCOL.md, section 7).
std::string UnavailableError();

}  // namespace chat::plugin
