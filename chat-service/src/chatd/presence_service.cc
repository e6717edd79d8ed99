// Presence of people: watches, changes and who may see them.
#include "chatd/presence_service.h"

#include <spdlog/spdlog.h>

#include "chat/topics.h"
#include "chatd/events.h"

namespace chat {

PresenceService::PresenceService(Database& db, int64_t grace_ms, StoreLastSeen store_last_seen)
    : conversations_(db),
      last_seen_(db),
      privacy_(db),
      people_(grace_ms),
      store_last_seen_(std::move(store_last_seen)) {}

void PresenceService::Watch(const Command& command, const PresenceWatchCommand& watch,
                            FanoutBatch& out) {
  people_.Watch(command.sender, watch.users);
  std::vector<PersonPresence> seen;
  seen.reserve(watch.users.size());
  for (const std::string& user : watch.users) {
    seen.push_back(SeenBy(command.sender.user, user));
    people_.Told(command.sender, seen.back());
  }
  out.AddOne(DeviceTopic(command.sender.user, command.sender.device),
             EncodePresence(seen, command.req_id));
}

void PresenceService::Set(const Command& command, const PresenceSetCommand& set, FanoutBatch& out) {
  Send(people_.SetAway(command.sender.user, command.sender.device, set.away), out);
}

void PresenceService::OnTransition(const PresenceTransition& transition, FanoutBatch& out,
                                   int64_t now_ms) {
  spdlog::debug("presence: {}/{} {} ({} connected; left {})", transition.user, transition.device,
                transition.online ? "came" : "went", transition.devices, transition.left_ms);
  if (!transition.online && transition.devices == 0 && transition.left_ms > 0) {
    departures_.emplace_back(transition.user, people_.DepartureOf(transition));  // stored by Expire
  }
  Send(people_.OnBroker(transition, now_ms), out);
}

void PresenceService::Expire(FanoutBatch& out, int64_t now_ms) {
  Send(people_.Expire(now_ms), out);
  if (!departures_.empty()) store_last_seen_(std::exchange(departures_, {}));
}

bool PresenceService::MaySee(const std::string& watcher, const std::string& user) {
  if (watcher == user) return true;
  if (privacy_.EitherBlocked(watcher, user)) return false;
  switch (privacy_.Settings(user).presence) {
    case PresenceAudience::kEveryone: return conversations_.ShareConversation(watcher, user);
    case PresenceAudience::kContacts: return conversations_.FindDirect(watcher, user).has_value();
    case PresenceAudience::kNobody: break;
  }
  return false;
}

PersonPresence PresenceService::SeenBy(const std::string& watcher, const std::string& user) {
  if (!MaySee(watcher, user)) return {user, PersonState::kUnknown, 0};
  if (auto live = people_.Live(user)) return *live;
  return {user, PersonState::kOffline, last_seen_.LastSeen(user).value_or(0)};
}

void PresenceService::Refresh(const std::vector<std::string>& users, FanoutBatch& out) {
  for (const std::string& user : users) {
    for (const auto& [watcher, watched] : people_.WatchesInvolving(user)) {
      Tell(watcher, SeenBy(watcher.user, watched), out);
    }
  }
}

void PresenceService::Send(const std::vector<PresenceNotice>& notices, FanoutBatch& out) {
  for (const PresenceNotice& notice : notices) {
    // Decided at each change: a conversation left or joined since the watch counts now.
    bool may_see = MaySee(notice.watcher.user, notice.presence.user);
    Tell(notice.watcher,
         may_see ? notice.presence : PersonPresence{notice.presence.user, PersonState::kUnknown, 0},
         out);
  }
}

void PresenceService::Tell(const DeviceAddress& watcher, const PersonPresence& presence,
                           FanoutBatch& out) {
  PersonPresence told;
  if (!people_.LastTold(watcher, presence.user, &told) || told == presence) return;
  people_.Told(watcher, presence);
  out.AddOne(DeviceTopic(watcher.user, watcher.device), EncodePresence({presence}, ""));
}

}  // namespace chat
