// Presence of users from their devices' connections (docs/PROTOCOL.md,
// section 4, chat/sys/presence/{u}). Pure; no broker calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "connection_map.h"
#include "identity.h"
#include "string_map.h"

namespace chat::plugin {

// A user's state as the plugin publishes it on chat/sys/presence/{user}: a
// change of the number of connected devices, or a snapshot's current state.
struct PresenceChange {
  std::string user;
  bool online = false;
  std::size_t devices = 0;   // distinct devices with a live connection
  int64_t last_seen_ms = 0;  // the change's time: now while online, the departure when offline
  std::string device = {};   // a change: the device that came or went; empty in a snapshot page
  std::vector<std::string> device_ids = {};  // a snapshot page's state: the connected devices
  int64_t keepalive_s = 0;  // a departure: the connection's keepalive, set by the caller
  bool timed_out = false;   // a departure the broker said was a keepalive timeout

  bool operator==(const PresenceChange&) const = default;
};

// One page of the users online now, in id order.
struct PresencePage {
  std::vector<PresenceChange> states;  // online, with last_seen_ms the time asked
  bool more = false;                   // online users after the last state were left out
};

// Tracks the live connections of device identities, keyed by connection and
// not by client id, so that a takeover (the broker authenticates the new
// connection of a client id before it reports the old one's disconnect) is no
// change at all. A user is online while at least one of their devices has a
// live connection; a change is reported whenever the number of such devices
// changes (1 -> 2 is a change, a second connection of the same device is
// not). Service and unidentified clients are ignored.
//
// Only online users are kept: a user whose last device leaves is forgotten,
// so memory follows the live connections, not every user ever seen. Their
// last seen time is in the offline change and nowhere else (chatd needs
// online/offline only; a durable last seen belongs in chatd's database).
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
  // The first `limit` (> 0) online users whose id sorts after `after` (""
  // for the first page), in id order, stamped `now_ms`. Linear in the number
  // of online users.
  PresencePage OnlineAfter(std::string_view after, std::size_t limit, int64_t now_ms) const;
  // Calls `visit(user)` for every online user, in no particular order.
  template <typename Visit>
  void ForEachUser(Visit&& visit) const {
    for (const auto& [user, devices] : users_) visit(user);
  }
  // Live device connections of all users (takeovers briefly count twice).
  std::size_t connection_count() const { return connections_.size(); }
  // Users with at least one live device connection: every user kept.
  std::size_t user_count() const { return users_.size(); }

 private:
  struct DeviceConnections {
    std::string device;
    uint32_t connections = 0;  // more than 1 only during a takeover
  };
  // Online user -> their connected devices (usually one or two). Nodes never
  // move, so connections point at them.
  using UserMap = StringMap<std::vector<DeviceConnections>>;
  struct Connection {
    UserMap::value_type* user = nullptr;
    std::string device;
  };

  UserMap users_;
  ConnectionMap<Connection> connections_;
};

// The payload of chat/sys/presence/{user} (chat/presence_format.h) for a
// change on the broker run `boot_ms`.
std::string PresencePayload(const PresenceChange& change, int64_t boot_ms);

}  // namespace chat::plugin
