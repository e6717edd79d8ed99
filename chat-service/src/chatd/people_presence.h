// Presence of people, for the devices that watch them (docs/PROTOCOL.md,
// "Presence of people"): what the broker plugin says about connections
// (chat/sys/presence/{u}), smoothed by a grace period, plus the app's own
// `away`, delivered only to the devices that asked. Pure: no store, no
// broker; who may see whom is the caller's to decide, per notice.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "chat/topics.h"          // DeviceAddress
#include "chatd/presence_view.h"  // PresenceTransition

namespace chat {

enum class PersonState { kOnline, kAway, kOffline, kUnknown };

struct PersonPresence {
  std::string user;
  PersonState state = PersonState::kUnknown;
  int64_t last_seen_ms = 0;  // kOffline: when the last device left; 0 when never seen

  bool operator==(const PersonPresence&) const = default;
};

// `presence` is news for `watcher`.
struct PresenceNotice {
  DeviceAddress watcher;
  PersonPresence presence;

  bool operator==(const PresenceNotice&) const = default;
};

// A user is online from the broker's first "online" until the broker's
// "offline" has stood for `grace_ms` (a drop and return within the grace
// period shows nothing), and away while every connected device of theirs
// said `away` in its last `presence.set` (a device that connects again has
// said nothing yet: its app is in front until it says otherwise), offline
// after. A watcher is a device; its watches end when it replaces them, or
// when its user goes offline (the device watches again after every
// connect). Memory follows the users online or in their grace period, and
// the watches.
//
// Not thread-safe: chatd's query thread owns it. Times are Unix ms.
class PeoplePresence {
 public:
  explicit PeoplePresence(int64_t grace_ms) : grace_ms_(grace_ms) {}

  // The broker plugin's word (PresenceView): a device came or went.
  std::vector<PresenceNotice> OnBroker(const PresenceTransition& change, int64_t now_ms);
  // When `change`, a departure, leaves its user last heard from: the latest
  // departure of any of their devices since they came online. A device
  // dated at its last packet before a keepalive timeout may have gone
  // quiet before another left. Call before OnBroker.
  int64_t DepartureOf(const PresenceTransition& change) const;
  // `device` of `user` says its app went to the background (away) or came
  // back. Ignored for a user not online.
  std::vector<PresenceNotice> SetAway(const std::string& user, const std::string& device,
                                      bool away);
  // Grace periods over by `now_ms`: their users go offline.
  std::vector<PresenceNotice> Expire(int64_t now_ms);
  // When Expire has work next, if ever.
  std::optional<int64_t> NextDeadline() const;

  // From now on `device` watches `users` (and no one else), told nothing yet.
  void Watch(const DeviceAddress& device, const std::vector<std::string>& users);
  // What `device` was last told of `user`: kUnknown until told. False when
  // it does not watch `user`.
  bool LastTold(const DeviceAddress& device, const std::string& user, PersonPresence* told) const;
  // Records that `device` was told `presence`, if it watches that user.
  void Told(const DeviceAddress& device, const PersonPresence& presence);
  // Every watch `user` takes part in: the devices watching `user`, and what
  // the devices of `user` watch, as (watcher, watched user) pairs.
  std::vector<std::pair<DeviceAddress, std::string>> WatchesInvolving(
      const std::string& user) const;
  // The user's state as watchers see it: online or away; nullopt when
  // offline (the caller knows the stored last seen).
  std::optional<PersonPresence> Live(const std::string& user) const;

  std::size_t watch_count() const { return watchers_.size(); }

 private:
  struct Person {
    int64_t devices = 0;                 // connected, as the plugin counts them
    std::set<std::string> away_devices;  // said `away` last and not gone since
    std::optional<int64_t> offline_at;   // in the grace period: announce then
    int64_t left_ms = 0;  // the latest departure of a device since the user came online

    bool away() const {
      return devices > 0 && away_devices.size() >= static_cast<std::size_t>(devices);
    }
    PersonState state() const { return away() ? PersonState::kAway : PersonState::kOnline; }
  };

  std::vector<PresenceNotice> Notify(const PersonPresence& presence) const;
  void DropWatchesOf(const std::string& watcher_user);

  int64_t grace_ms_;
  std::map<std::string, Person> people_;                 // online, or in their grace period
  std::set<std::pair<int64_t, std::string>> deadlines_;  // (offline_at, user) in their grace
  // device -> watched user -> what it was last told
  std::map<DeviceAddress, std::map<std::string, PersonPresence>> watching_;
  std::map<std::string, std::set<DeviceAddress>> watchers_;  // user -> devices
};

}  // namespace chat
