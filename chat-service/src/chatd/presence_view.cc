// Presence state from the plugin's presence changes and snapshot pages.
#include "chatd/presence_view.h"

#include "chat/presence_format.h"
#include "chat/topics.h"

namespace chat {

namespace {

// Takes [first, last) of `online` offline, noting each in `changed`.
template <typename Map, typename It>
void TakeOffline(Map& online, It first, It last, std::vector<PresenceTransition>* changed,
                 int64_t now_ms) {
  if (changed) {
    for (It it = first; it != last; ++it) changed->push_back({it->first, false, now_ms, "", 0});
  }
  online.erase(first, last);
}

}  // namespace

bool PresenceView::Apply(std::string_view topic, std::string_view payload,
                         std::vector<PresenceTransition>* changed, int64_t now_ms) {
  if (topic == kBrokerBootTopic) {
    std::optional<presence::BrokerMark> mark = presence::ParseBrokerMark(payload);
    if (!mark) return false;
    std::lock_guard lock(mutex_);
    if (mark->boot_ms != current_boot_) {
      // Whoever was online on the run before is gone with it.
      for (auto it = online_boot_.begin(); it != online_boot_.end();) {
        if (it->second.boot == mark->boot_ms) {
          ++it;
          continue;
        }
        if (changed) changed->push_back({it->first, false, now_ms, "", 0});
        it = online_boot_.erase(it);
      }
    }
    current_boot_ = mark->boot_ms;
    if (mark->snapshot) {
      // The page's states follow and bring back those of the range still online.
      auto first = online_boot_.upper_bound(mark->snapshot->after);
      auto last = mark->snapshot->until ? online_boot_.upper_bound(*mark->snapshot->until)
                                        : online_boot_.end();
      TakeOffline(online_boot_, first, last, changed, now_ms);
      if (!mark->snapshot->until) {  // the last page
        last_page_left_ = mark->snapshot->users.value_or(0);
        if (last_page_left_ == 0) synced_ = true;
      }
    }
    return true;
  }
  std::optional<presence::UserState> state = presence::ParseUserState(payload);
  if (!state || topic != PresenceTopic(state->user)) return false;
  std::lock_guard lock(mutex_);
  if (last_page_left_ > 0 && --last_page_left_ == 0) synced_ = true;  // its last state: below
  if (state->online) {
    Online& online = online_boot_[state->user];
    int64_t before = online.devices;
    int64_t devices = state->devices > 0 ? state->devices : 1;
    if (!state->device_ids.empty() || state->device.empty()) {  // a snapshot's state
      online.device_ids = {state->device_ids.begin(), state->device_ids.end()};
    } else if (devices < before) {
      online.device_ids.erase(state->device);
    } else {
      online.device_ids.insert(state->device);
    }
    online.boot = state->boot_ms;
    online.devices = devices;
    bool stale = current_boot_ >= 0 && state->boot_ms != current_boot_;
    if (!changed || stale) return true;
    if (before == 0 || online.devices > before) {
      changed->push_back({state->user, true, 0, state->device, online.devices});
    } else if (online.devices < before) {  // one left, others stay
      changed->push_back({state->user, false, state->last_seen_ms, state->device, online.devices});
    }
  } else if (online_boot_.erase(state->user) > 0 && changed) {
    changed->push_back({state->user, false, state->last_seen_ms, state->device, 0});
  }
  return true;
}

bool PresenceView::synced() const {
  std::lock_guard lock(mutex_);
  return synced_;
}

bool PresenceView::Handles(std::string_view topic) {
  return topic.starts_with(kPresencePrefix) || topic == kBrokerBootTopic;
}

bool PresenceView::IsOnline(const std::string& user) const {
  std::lock_guard lock(mutex_);
  auto it = online_boot_.find(user);
  return it != online_boot_.end() && it->second.boot == current_boot_;
}

bool PresenceView::IsDeviceConnected(const std::string& user, const std::string& device) const {
  std::lock_guard lock(mutex_);
  auto it = online_boot_.find(user);
  return it != online_boot_.end() && it->second.boot == current_boot_ &&
         it->second.device_ids.contains(device);
}

}  // namespace chat
