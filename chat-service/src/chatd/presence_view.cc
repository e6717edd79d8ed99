// Presence state from the plugin's presence changes and snapshot pages.
#include "chatd/presence_view.h"

#include "chat/presence_format.h"
#include "chat/topics.h"

namespace chat {

bool PresenceView::Apply(std::string_view topic, std::string_view payload) {
  if (topic == kBrokerBootTopic) {
    std::optional<presence::BrokerMark> mark = presence::ParseBrokerMark(payload);
    if (!mark) return false;
    std::lock_guard lock(mutex_);
    current_boot_ = mark->boot_ms;
    if (mark->snapshot) {
      // The page's states follow and bring back those of the range still online.
      auto first = online_boot_.upper_bound(mark->snapshot->after);
      auto last = mark->snapshot->until ? online_boot_.upper_bound(*mark->snapshot->until)
                                        : online_boot_.end();
      online_boot_.erase(first, last);
    }
    return true;
  }
  std::optional<presence::UserState> state = presence::ParseUserState(payload);
  if (!state || topic != PresenceTopic(state->user)) return false;
  std::lock_guard lock(mutex_);
  if (state->online) {
    online_boot_[state->user] = state->boot_ms;
  } else {
    online_boot_.erase(state->user);
  }
  return true;
}

bool PresenceView::Handles(std::string_view topic) {
  return topic.starts_with(kPresencePrefix) || topic == kBrokerBootTopic;
}

bool PresenceView::IsOnline(const std::string& user) const {
  std::lock_guard lock(mutex_);
  auto it = online_boot_.find(user);
  return it != online_boot_.end() && it->second == current_boot_;
}

}  // namespace chat
