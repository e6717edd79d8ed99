// Which users have a connected device, as the broker plugin reports on the
// retained topics chat/sys/presence/{u}. Updated on Paho's thread, read by
// the query thread; thread-safe.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

namespace chat {

class PresenceView {
 public:
  // Applies one presence payload; malformed payloads are ignored (and
  // return false).
  bool Apply(std::string_view payload);
  bool IsOnline(const std::string& user) const;

 private:
  mutable std::mutex mutex_;
  std::unordered_set<std::string> online_;
};

}  // namespace chat
