// Presence of people: grace, away and watches.
#include "chatd/people_presence.h"

#include <algorithm>

namespace chat {

std::vector<PresenceNotice> PeoplePresence::OnBroker(const PresenceTransition& change,
                                                     int64_t now_ms) {
  auto it = people_.find(change.user);
  if (change.online) {
    if (it == people_.end()) {
      people_[change.user] = Person{change.devices, {}, std::nullopt, 0};
      return Notify({change.user, PersonState::kOnline, 0});
    }
    Person& person = it->second;
    PersonState before = person.state();  // what watchers were told
    if (person.offline_at) {
      // Back within the grace period: nothing to tell, unless away ended.
      // Nothing stayed connected, so no device is away now.
      deadlines_.erase({*person.offline_at, change.user});
      person.offline_at.reset();
      person.away_devices.clear();
    }
    person.devices = change.devices;
    person.away_devices.erase(change.device);
    if (person.state() == before) return {};
    return Notify({change.user, person.state(), 0});
  }
  if (it == people_.end()) return {};  // offline already
  Person& person = it->second;
  person.left_ms = std::max(person.left_ms, change.left_ms);
  if (change.devices > 0) {  // one device left, others stay
    PersonState before = person.state();
    person.devices = change.devices;
    person.away_devices.erase(change.device);
    if (person.offline_at || person.state() == before) return {};
    return Notify({change.user, person.state(), 0});
  }
  // Watchers keep seeing the state of before (devices, away) through the grace period.
  if (!person.offline_at) {
    person.offline_at = now_ms + grace_ms_;
    deadlines_.emplace(*person.offline_at, change.user);
  }
  return grace_ms_ <= 0 ? Expire(now_ms) : std::vector<PresenceNotice>{};
}

int64_t PeoplePresence::DepartureOf(const PresenceTransition& change) const {
  auto it = people_.find(change.user);
  return it == people_.end() ? change.left_ms : std::max(it->second.left_ms, change.left_ms);
}

std::vector<PresenceNotice> PeoplePresence::SetAway(const std::string& user,
                                                    const std::string& device, bool away) {
  auto it = people_.find(user);
  if (it == people_.end() || it->second.offline_at) return {};
  Person& person = it->second;
  PersonState before = person.state();
  if (away) {
    person.away_devices.insert(device);
  } else {
    person.away_devices.erase(device);
  }
  if (person.state() == before) return {};
  return Notify({user, person.state(), 0});
}

std::vector<PresenceNotice> PeoplePresence::Expire(int64_t now_ms) {
  std::vector<PresenceNotice> notices;
  while (!deadlines_.empty() && deadlines_.begin()->first <= now_ms) {
    std::string user = std::move(deadlines_.begin()->second);
    deadlines_.erase(deadlines_.begin());
    auto it = people_.find(user);
    int64_t left_ms = it->second.left_ms;
    people_.erase(it);
    DropWatchesOf(user);
    for (PresenceNotice& n : Notify({user, PersonState::kOffline, left_ms})) {
      notices.push_back(std::move(n));
    }
  }
  return notices;
}

std::optional<int64_t> PeoplePresence::NextDeadline() const {
  if (deadlines_.empty()) return std::nullopt;
  return deadlines_.begin()->first;
}

void PeoplePresence::Watch(const DeviceAddress& device, const std::vector<std::string>& users) {
  if (auto it = watching_.find(device); it != watching_.end()) {
    for (const auto& [user, told] : it->second) {
      auto w = watchers_.find(user);
      w->second.erase(device);
      if (w->second.empty()) watchers_.erase(w);
    }
    watching_.erase(it);
  }
  if (users.empty()) return;
  auto& watched = watching_[device];
  for (const std::string& user : users) {
    watched.emplace(user, PersonPresence{user, PersonState::kUnknown, 0});
    watchers_[user].insert(device);
  }
}

bool PeoplePresence::LastTold(const DeviceAddress& device, const std::string& user,
                              PersonPresence* told) const {
  auto it = watching_.find(device);
  if (it == watching_.end()) return false;
  auto w = it->second.find(user);
  if (w == it->second.end()) return false;
  *told = w->second;
  return true;
}

void PeoplePresence::Told(const DeviceAddress& device, const PersonPresence& presence) {
  auto it = watching_.find(device);
  if (it == watching_.end()) return;
  auto w = it->second.find(presence.user);
  if (w != it->second.end()) w->second = presence;
}

std::vector<std::pair<DeviceAddress, std::string>> PeoplePresence::WatchesInvolving(
    const std::string& user) const {
  std::vector<std::pair<DeviceAddress, std::string>> watches;
  if (auto it = watchers_.find(user); it != watchers_.end()) {
    for (const DeviceAddress& device : it->second) watches.emplace_back(device, user);
  }
  for (auto it = watching_.lower_bound(DeviceAddress{user, ""});
       it != watching_.end() && it->first.user == user; ++it) {
    for (const auto& [watched, told] : it->second) {
      if (watched != user) watches.emplace_back(it->first, watched);
    }
  }
  return watches;
}

std::optional<PersonPresence> PeoplePresence::Live(const std::string& user) const {
  auto it = people_.find(user);
  if (it == people_.end()) return std::nullopt;
  return PersonPresence{user, it->second.state(), 0};
}

std::vector<PresenceNotice> PeoplePresence::Notify(const PersonPresence& presence) const {
  std::vector<PresenceNotice> notices;
  auto it = watchers_.find(presence.user);
  if (it == watchers_.end()) return notices;
  for (const DeviceAddress& device : it->second) notices.push_back({device, presence});
  return notices;
}

void PeoplePresence::DropWatchesOf(const std::string& watcher_user) {
  auto first = watching_.lower_bound(DeviceAddress{watcher_user, ""});
  std::vector<DeviceAddress> devices;
  for (auto it = first; it != watching_.end() && it->first.user == watcher_user; ++it) {
    devices.push_back(it->first);
  }
  for (const DeviceAddress& device : devices) Watch(device, {});
}

}  // namespace chat
