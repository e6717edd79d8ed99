// Which users have a connected device, as the broker plugin reports on the
// retained topics chat/sys/presence/{u}, each state stamped with the broker
// run (`boot`) that produced it; chat/sys/broker names the current run. A
// state from an earlier run (kept across a restart by broker persistence) is
// stale and counts as offline. Updated on Paho's thread, read by the query
// thread; thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace chat {

class PresenceView {
 public:
  // Applies one message of chat/sys/presence/{u} or chat/sys/broker;
  // malformed payloads are ignored (and return false).
  bool Apply(std::string_view topic, std::string_view payload);
  bool IsOnline(const std::string& user) const;
  // Whether `topic` is one that Apply understands.
  static bool Handles(std::string_view topic);

 private:
  mutable std::mutex mutex_;
  int64_t current_boot_ = -1;
  std::unordered_map<std::string, int64_t> online_boot_;  // online users -> their boot
};

}  // namespace chat
