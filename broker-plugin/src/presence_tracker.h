// Presence of users from their devices' connections (docs/PROTOCOL.md,
// section 4, chat/sys/presence/{u}). Pure; no broker calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "identity.h"

namespace chat::plugin {

// One network connection, as the broker knows it (the glue uses the address of
// the broker's client context). Only compared, never dereferenced.
using ConnectionId = std::uintptr_t;

// A change of the number of connected devices of a user: what the plugin
// publishes on chat/sys/presence/{user}.
struct PresenceChange {
  std::string user;
  bool online = false;
  std::size_t devices = 0;   // distinct devices with a live connection
  int64_t last_seen_ms = 0;  // the change's time: now while online, the departure when offline

  bool operator==(const PresenceChange&) const = default;
};

// Tracks the live connections of device identities, keyed by connection and
// not by client id, so that a takeover (the broker authenticates the new
// connection of a client id before it reports the old one's disconnect) is no
// change at all. A user is online while at least one of their devices has a
// live connection; a change is reported whenever the number of such devices
// changes (1 -> 2 is a change, a second connection of the same device is
// not), and when it drops to 0 the time is recorded as the user's last seen.
// Service and unidentified clients are ignored.
//
// Contract with the caller: Connect when a connection has authenticated,
// Disconnect when it is gone or refused. Both are idempotent, an unknown
// connection's Disconnect is ignored, and a Connect on a connection already
// tracked under another identity first ends that one (the broker reused the
// address of a connection whose disconnect was never reported). Times are
// wall-clock Unix milliseconds, supplied by the caller.
//
// Not thread-safe: the plugin calls it on the broker's thread only.
class PresenceTracker {
 public:
  std::vector<PresenceChange> Connect(ConnectionId connection, const Identity& who, int64_t now_ms);
  std::vector<PresenceChange> Disconnect(ConnectionId connection, int64_t now_ms);

  // Distinct devices of `user` with a live connection.
  std::size_t DevicesOf(std::string_view user) const;
  // When the last device of `user` went away; nullopt while online or never seen.
  std::optional<int64_t> LastSeenMs(std::string_view user) const;
  // Live device connections of all users (takeovers briefly count twice).
  std::size_t connection_count() const { return connections_.size(); }

 private:
  struct Connection {
    std::string user;
    std::string device;
  };
  struct UserPresence {
    std::map<std::string, int, std::less<>> connections_per_device;
    std::optional<int64_t> last_seen_ms;  // set while offline
  };

  std::unordered_map<ConnectionId, Connection> connections_;
  std::map<std::string, UserPresence, std::less<>> users_;
};

// chat/sys/presence/{user}
std::string PresenceTopic(std::string_view user);

// {"user":"bob","online":true,"devices":2,"last_seen":1700000000123,"boot":1700000000000}
// `boot` names the broker run that produced the state: a retained state from
// an earlier run (kept by broker persistence across a restart) is stale.
std::string PresencePayload(const PresenceChange& change, int64_t boot_ms);

// The payload of chat/sys/broker (kBrokerBootTopic): retained {"boot": boot_ms}
// of the current broker run.
std::string BrokerBootPayload(int64_t boot_ms);

}  // namespace chat::plugin
