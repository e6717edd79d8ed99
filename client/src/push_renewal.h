// This is an internal header of the client library, not for apps.
// The push registration the app asked for (PROTOCOL.md "Push"), kept until
// the backend answered it once: apps register at start, often before the
// connection is up, and a request is not resent by itself.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "chat/client/event.h"

namespace chat::client {

// The latest `push.register` or `push.unregister` the app asked for, with
// its req_id, and whether a reply to it came. The worker sends it again
// after every connect and on `ready` while Unanswered() holds it.
// Threads: Keep runs on application threads, the rest on the worker; one
// mutex guards the state.
class PushRenewal {
 public:
  struct Request {
    std::string req_id;
    std::string command;  // the encoded command, carrying req_id

    bool operator==(const Request&) const = default;
  };

  // Replaces the wish: earlier ones, answered or not, are no longer wanted.
  void Keep(std::string req_id, std::string command);
  // The wish while no reply to it came; nullopt when answered or none.
  std::optional<Request> Unanswered() const;
  // An event from the backend. A `push` with the wish's req_id answers it,
  // and so does an `error` with it unless resending may help (`internal`,
  // `unavailable`: chatd is away and says `ready` when back).
  void OnEvent(const Event& event);

 private:
  mutable std::mutex mu_;
  std::optional<Request> wish_;  // guarded by mu_
  bool answered_ = false;        // guarded by mu_
};

}  // namespace chat::client
