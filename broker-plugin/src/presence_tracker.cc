// Per-connection presence bookkeeping and the presence event's wire form.
#include "presence_tracker.h"

#include <algorithm>

#include "chat/presence_format.h"

namespace chat::plugin {

std::vector<PresenceChange> PresenceTracker::Connect(ConnectionId connection, const Identity& who,
                                                     int64_t now_ms) {
  std::vector<PresenceChange> changes;
  if (!who.is_device() || connection == 0) return changes;
  if (const Connection* known = connections_.Find(connection)) {
    // A repeated check of a live connection (mosquitto re-authenticates every
    // client when it reloads its configuration) changes nothing.
    if (known->user->first == who.user && known->device == who.device) return changes;
    changes = Disconnect(connection, now_ms);
  }
  auto user = users_.find(who.user);
  if (user == users_.end()) user = users_.try_emplace(std::string(who.user)).first;
  connections_.Insert(connection, Connection{&*user, std::string(who.device)});
  auto& devices = user->second;
  auto device = std::ranges::find(devices, who.device, &DeviceConnections::device);
  if (device != devices.end()) {
    ++device->connections;  // a takeover in progress: the old connection is still live
    return changes;
  }
  devices.push_back({std::string(who.device), 1});
  changes.push_back({user->first, true, devices.size(), now_ms, std::string(who.device)});
  return changes;
}

std::vector<PresenceChange> PresenceTracker::Disconnect(ConnectionId connection, int64_t now_ms) {
  std::vector<PresenceChange> changes;
  std::optional<Connection> gone = connections_.Take(connection);
  if (!gone) return changes;
  auto& [user, devices] = *gone->user;
  auto device = std::ranges::find(devices, gone->device, &DeviceConnections::device);
  if (device == devices.end()) return changes;    // cannot happen: every connection has its device
  if (--device->connections > 0) return changes;  // the other connection of a takeover remains
  devices.erase(device);
  changes.push_back({user, !devices.empty(), devices.size(), now_ms, gone->device});
  if (devices.empty()) users_.erase(users_.find(user));
  return changes;
}

std::size_t PresenceTracker::DevicesOf(std::string_view user) const {
  auto found = users_.find(user);
  return found == users_.end() ? 0 : found->second.size();
}

PresencePage PresenceTracker::OnlineAfter(std::string_view after, std::size_t limit,
                                          int64_t now_ms) const {
  std::vector<const UserMap::value_type*> later;
  for (const auto& entry : users_) {
    if (entry.first > after) later.push_back(&entry);
  }
  PresencePage page;
  page.more = later.size() > limit;
  auto end = later.begin() + static_cast<std::ptrdiff_t>(std::min(limit, later.size()));
  std::partial_sort(later.begin(), end, later.end(),
                    [](const auto* a, const auto* b) { return a->first < b->first; });
  for (auto it = later.begin(); it != end; ++it) {
    PresenceChange state{(*it)->first, true, (*it)->second.size(), now_ms};
    for (const DeviceConnections& d : (*it)->second) state.device_ids.push_back(d.device);
    std::sort(state.device_ids.begin(), state.device_ids.end());
    page.states.push_back(std::move(state));
  }
  return page;
}

std::string PresencePayload(const PresenceChange& change, int64_t boot_ms) {
  return presence::EncodeUserState(
      {change.user, change.online, static_cast<int64_t>(change.devices), change.last_seen_ms,
       boot_ms, change.device, change.device_ids, change.keepalive_s, change.timed_out});
}

}  // namespace chat::plugin
