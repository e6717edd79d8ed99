// Per-connection presence bookkeeping and the presence event's wire form.
#include "presence_tracker.h"

#include <nlohmann/json.hpp>

namespace chat::plugin {

std::vector<PresenceChange> PresenceTracker::Connect(ConnectionId connection, const Identity& who,
                                                     int64_t now_ms) {
  std::vector<PresenceChange> changes;
  if (!who.is_device()) return changes;
  auto known = connections_.find(connection);
  if (known != connections_.end()) {
    // A repeated check of a live connection (mosquitto re-authenticates every
    // client when it reloads its configuration) changes nothing.
    if (known->second.user == who.user && known->second.device == who.device) return changes;
    changes = Disconnect(connection, now_ms);
  }
  connections_.emplace(connection, Connection{std::string(who.user), std::string(who.device)});
  auto user = users_.find(who.user);
  if (user == users_.end()) user = users_.emplace(std::string(who.user), UserPresence{}).first;
  auto& devices = user->second.connections_per_device;
  auto device = devices.find(who.device);
  if (device != devices.end()) {
    ++device->second;  // a takeover in progress: the old connection is still live
    return changes;
  }
  devices.emplace(std::string(who.device), 1);
  user->second.last_seen_ms.reset();
  changes.push_back({user->first, true, devices.size(), now_ms});
  return changes;
}

std::vector<PresenceChange> PresenceTracker::Disconnect(ConnectionId connection, int64_t now_ms) {
  std::vector<PresenceChange> changes;
  auto known = connections_.find(connection);
  if (known == connections_.end()) return changes;
  Connection gone = std::move(known->second);
  connections_.erase(known);

  auto user = users_.find(gone.user);
  if (user == users_.end()) return changes;  // cannot happen: every connection has its user
  auto& devices = user->second.connections_per_device;
  auto device = devices.find(gone.device);
  if (device == devices.end()) return changes;  // cannot happen either
  if (--device->second > 0) return changes;     // the other connection of a takeover remains
  devices.erase(device);
  bool online = !devices.empty();
  if (!online) user->second.last_seen_ms = now_ms;
  changes.push_back({user->first, online, devices.size(), now_ms});
  return changes;
}

std::size_t PresenceTracker::DevicesOf(std::string_view user) const {
  auto found = users_.find(user);
  return found == users_.end() ? 0 : found->second.connections_per_device.size();
}

std::optional<int64_t> PresenceTracker::LastSeenMs(std::string_view user) const {
  auto found = users_.find(user);
  return found == users_.end() ? std::nullopt : found->second.last_seen_ms;
}

std::string PresenceTopic(std::string_view user) {
  return "chat/sys/presence/" + std::string(user);
}

std::string PresencePayload(const PresenceChange& change, int64_t boot_ms) {
  nlohmann::ordered_json event = {
      {"user", change.user},       {"online", change.online},
      {"devices", change.devices}, {"last_seen", change.last_seen_ms},
      {"boot", boot_ms},
  };
  return event.dump();
}

std::string BrokerBootPayload(int64_t boot_ms) {
  return nlohmann::ordered_json{{"boot", boot_ms}}.dump();
}

}  // namespace chat::plugin
