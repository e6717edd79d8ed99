// Presence of people on chatd's query thread: `presence.watch` and
// `presence.set` from devices, the broker plugin's transitions, and the
// grace periods running out (docs/PROTOCOL.md, "Presence of people"). Who
// may see whom is decided here, per reply and per change, from the store:
// the user themself; else no block either way, and the user's `presence`
// setting: everyone sharing an active conversation (the default), direct
// partners only, or nobody. Everyone else sees `unknown`, the same as for an
// id nobody has.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "chat/database.h"
#include "chatd/command.h"
#include "chatd/fanout_batch.h"
#include "chatd/people_presence.h"
#include "chatd/presence_view.h"
#include "store/conversation_store.h"
#include "store/presence_store.h"
#include "store/privacy_store.h"

namespace chat {

class PresenceService {
 public:
  // Hands users gone offline, with their departure times, to the writer to store.
  using StoreLastSeen = std::function<void(std::vector<std::pair<std::string, int64_t>> seen)>;

  PresenceService(Database& db, int64_t grace_ms, StoreLastSeen store_last_seen);

  // Replaces the device's watch list and answers with what it may see now.
  void Watch(const Command& command, const PresenceWatchCommand& watch, FanoutBatch& out);
  void Set(const Command& command, const PresenceSetCommand& set, FanoutBatch& out);
  void OnTransition(const PresenceTransition& transition, FanoutBatch& out, int64_t now_ms);
  // Announces the departures whose grace period is over, and hands the
  // departures OnTransition saw since the last call to the writer, as one
  // command (stored at once, not when the grace period ends, so that a kill
  // of chatd right after loses none).
  void Expire(FanoutBatch& out, int64_t now_ms);
  // Who may see `users` and whom they may see may have changed (a block,
  // a setting, a conversation joined or left, committed by the writer):
  // every watch they take part in is told what it sees now, if that differs
  // from what it was told last.
  void Refresh(const std::vector<std::string>& users, FanoutBatch& out);
  std::optional<int64_t> NextDeadline() const { return people_.NextDeadline(); }

 private:
  bool MaySee(const std::string& watcher, const std::string& user);
  // What `watcher` sees of `user` now.
  PersonPresence SeenBy(const std::string& watcher, const std::string& user);
  void Send(const std::vector<PresenceNotice>& notices, FanoutBatch& out);
  // Tells `watcher` `presence` unless that is what it was told last.
  void Tell(const DeviceAddress& watcher, const PersonPresence& presence, FanoutBatch& out);

  ConversationStore conversations_;
  PresenceStore last_seen_;
  PrivacyStore privacy_;
  PeoplePresence people_;
  StoreLastSeen store_last_seen_;
  std::vector<std::pair<std::string, int64_t>> departures_;  // for the next Expire
};

}  // namespace chat
