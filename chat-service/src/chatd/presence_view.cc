// Presence state from the plugin's presence changes and snapshot pages.
#include "chatd/presence_view.h"

#include <algorithm>

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

PresenceView::PresenceView(std::size_t nodes) : nodes_(std::max<std::size_t>(nodes, 1)) {}

const PresenceView::Online* PresenceView::Node::Find(std::string_view user) const {
  auto it = online.find(user);
  return it != online.end() && it->second.boot == current_boot ? &it->second : nullptr;
}

bool PresenceView::Apply(std::string_view topic, std::string_view payload,
                         std::vector<PresenceTransition>* changed, int64_t now_ms,
                         std::size_t node) {
  std::lock_guard lock(mutex_);
  if (node >= nodes_.size()) return false;
  std::size_t first = changed ? changed->size() : 0;
  bool applied = ApplyToNode(nodes_[node], topic, payload, changed, now_ms);
  CountOnAllNodes(changed, first);
  return applied;
}

void PresenceView::NodeLost(std::size_t node, std::vector<PresenceTransition>* changed,
                            int64_t now_ms) {
  std::lock_guard lock(mutex_);
  if (node >= nodes_.size()) return;
  std::size_t first = changed ? changed->size() : 0;
  Node& lost = nodes_[node];
  TakeOffline(lost.online, lost.online.begin(), lost.online.end(), changed, now_ms);
  lost.last_page_left = -1;  // a snapshot cut short: the next one counts afresh
  CountOnAllNodes(changed, first);
}

void PresenceView::CountOnAllNodes(std::vector<PresenceTransition>* changed,
                                   std::size_t first) const {
  if (!changed || nodes_.size() == 1) return;
  for (std::size_t i = first; i < changed->size(); ++i) {
    PresenceTransition& change = (*changed)[i];
    change.devices = 0;
    for (const Node& node : nodes_) {
      if (const Online* online = node.Find(change.user)) change.devices += online->devices;
    }
  }
}

bool PresenceView::ApplyToNode(Node& node, std::string_view topic, std::string_view payload,
                               std::vector<PresenceTransition>* changed, int64_t now_ms) {
  if (topic == kBrokerBootTopic) {
    std::optional<presence::BrokerMark> mark = presence::ParseBrokerMark(payload);
    if (!mark) return false;
    if (mark->boot_ms != node.current_boot) {
      // Whoever was online on the run before is gone with it.
      for (auto it = node.online.begin(); it != node.online.end();) {
        if (it->second.boot == mark->boot_ms) {
          ++it;
          continue;
        }
        if (changed) changed->push_back({it->first, false, now_ms, "", 0});
        it = node.online.erase(it);
      }
    }
    node.current_boot = mark->boot_ms;
    if (mark->snapshot) {
      // The page's states follow and bring back those of the range still online.
      auto first = node.online.upper_bound(mark->snapshot->after);
      auto last = mark->snapshot->until ? node.online.upper_bound(*mark->snapshot->until)
                                        : node.online.end();
      TakeOffline(node.online, first, last, changed, now_ms);
      if (!mark->snapshot->until) {  // the last page
        node.last_page_left = mark->snapshot->users.value_or(0);
        if (node.last_page_left == 0) node.synced = true;
      }
    }
    return true;
  }
  std::optional<presence::UserState> state = presence::ParseUserState(payload);
  if (!state || topic != PresenceTopic(state->user)) return false;
  if (node.last_page_left > 0 && --node.last_page_left == 0)
    node.synced = true;  // its last state: below
  if (state->online) {
    Online& online = node.online[state->user];
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
    bool stale = node.current_boot >= 0 && state->boot_ms != node.current_boot;
    if (!changed || stale) return true;
    if (before == 0 || online.devices > before) {
      changed->push_back({state->user, true, 0, state->device, online.devices});
    } else if (online.devices < before) {  // one left, others stay
      changed->push_back({state->user, false, state->last_seen_ms, state->device, online.devices,
                          state->keepalive_s, state->timed_out});
    }
  } else if (node.online.erase(state->user) > 0 && changed) {
    changed->push_back({state->user, false, state->last_seen_ms, state->device, 0,
                        state->keepalive_s, state->timed_out});
  }
  return true;
}

bool PresenceView::synced() const {
  std::lock_guard lock(mutex_);
  return std::all_of(nodes_.begin(), nodes_.end(), [](const Node& node) { return node.synced; });
}

bool PresenceView::Handles(std::string_view topic) {
  return topic.starts_with(kPresencePrefix) || topic == kBrokerBootTopic;
}

bool PresenceView::IsOnline(const std::string& user) const {
  std::lock_guard lock(mutex_);
  return std::any_of(nodes_.begin(), nodes_.end(),
                     [&](const Node& node) { return node.Find(user) != nullptr; });
}

bool PresenceView::IsDeviceConnected(const std::string& user, const std::string& device) const {
  std::lock_guard lock(mutex_);
  return std::any_of(nodes_.begin(), nodes_.end(), [&](const Node& node) {
    const Online* online = node.Find(user);
    return online && online->device_ids.contains(device);
  });
}

std::optional<std::size_t> PresenceView::OtherNodeOf(const std::string& user,
                                                     const std::string& device,
                                                     std::size_t node) const {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (i == node) continue;
    const Online* online = nodes_[i].Find(user);
    if (online && online->device_ids.contains(device)) return i;
  }
  return std::nullopt;
}

}  // namespace chat
