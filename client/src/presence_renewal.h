// This is an internal header of the client library, not for apps.
// What the app asked of people's presence (PROTOCOL.md "Presence of
// people"), kept so that the library asks it again on every connect and on
// `ready`: chatd ends a device's watches when its user goes offline, a new
// connection of the user ends `away`, and a restarted chatd holds neither.
#pragma once

#include <mutex>
#include <string>
#include <vector>

namespace chat::client {

// Threads: set from application threads, read by the worker thread.
class PresenceRenewal {
 public:
  void SetWatched(std::vector<std::string> users);
  void SetAway(bool away);
  // The commands that restore both after a connect, in order: a
  // `presence.watch` without req_id (its reply reaches the app as a plain
  // `presence` event) when anyone is watched, and `presence.set` `away`
  // when the app is away.
  std::vector<std::string> Commands() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> watched_;  // guarded by mu_
  bool away_ = false;                 // guarded by mu_
};

}  // namespace chat::client
