// This is an internal header of the client library, not for apps.
// The positions the application has taken from the client (NextEvent), on
// their way to the state file and to the server's `delivered` cursor.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "chat/client/event.h"

namespace chat::client {

// Remembers, per conversation, the highest seq handed to the application
// that is not yet saved and not yet reported. Thread-safe: Record runs on
// application threads, the Take* calls on the client's worker.
class DeliveryTracker {
 public:
  // A msg/accepted the application just took; other events are ignored.
  // Both move the saved position; only a `msg` is reported as delivered (an
  // `accepted` is the user's own message, which needs no tick).
  void Record(const Event& event);
  // What to save / report now; each call empties its own set.
  std::map<std::string, int64_t> TakeUnsaved();
  std::map<std::string, int64_t> TakeUnreported();
  // Puts positions back after a failed save, keeping the higher of two.
  void RestoreUnsaved(const std::map<std::string, int64_t>& cursors);

 private:
  static void Raise(std::map<std::string, int64_t>& map, const std::string& conv, int64_t seq);

  std::mutex mu_;
  std::map<std::string, int64_t> unsaved_;
  std::map<std::string, int64_t> unreported_;
};

}  // namespace chat::client
