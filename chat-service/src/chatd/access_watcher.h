// Access taken away while a device is connected (a token revoked, a user
// banned: chatctl writes store/access_cut_store.h): the watcher reads the new
// cuts every second and has each such device disconnected on every broker
// node; its next connect is refused by the plugin's token check. On its own
// thread, with its own read-only database connection.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>

#include "chat/database.h"
#include "store/access_cut_store.h"

namespace chat {

class AccessWatcher {
 public:
  // Asks every broker node to disconnect `device` of `user`.
  using Kick = std::function<void(const std::string& user, const std::string& device)>;

  // Cuts made up to `replay_s` before the start are applied too (made while
  // chatd was down or starting; a kick of a device that is not connected
  // does nothing).
  AccessWatcher(const std::string& db_path, Kick kick,
                std::chrono::milliseconds interval = std::chrono::seconds(1),
                int64_t replay_s = 60);

  // Polls until `stop` is set.
  void Run(const std::atomic<bool>& stop);
  // Applies the cuts not applied yet; returns how many devices it kicked.
  int Poll(int64_t now_s);

 private:
  // Kicks the device(s) of `cut`; returns how many.
  int Apply(const AccessCut& cut);

  Database db_;
  Kick kick_;
  std::chrono::milliseconds interval_;
  // Every cut up to floor_ is applied; so are those in applied_ above it.
  // The floor trails by a few seconds: on PostgreSQL a cut may commit after
  // one with a higher id.
  int64_t floor_ = 0;
  std::set<int64_t> applied_;
};

}  // namespace chat
