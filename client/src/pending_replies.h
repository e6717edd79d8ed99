// This is an internal header of the client library, not for apps.
// The table of sends and requests whose reply the application may wait for.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "chat/client/event.h"

namespace chat::client {

// Matches incoming events to what this device is waiting for:
//  - a send (by cmid, or by its req_id) is answered by `accepted` with that
//    cmid, or by `error` with that cmid or req_id;
//  - a request such as conv.create (by req_id) is answered by any reply with
//    that req_id (`conv`, `error`, ...).
// An `error` carrying neither id with code payload_too_large (the broker
// plugin's) is given to the only open entry when exactly one is open, since
// it cannot be matched otherwise.
//
// An answer that arrives before anyone waits is kept until claimed by a wait;
// at most `max_unclaimed` answered entries are kept (the oldest go first).
// Unanswered entries stay until answered, failed or forgotten.
//
// A request lives on one connection: when it is lost, FailRequests answers
// every open request (not the sends, which the outbox resends) with a local
// event, and a reply that comes later is no longer anyone's (IsOpen false).
//
// Thread-safe: Offer runs on the MQTT receive thread, waits on application
// threads; one mutex guards the table and never covers any I/O.
class PendingReplies {
 public:
  explicit PendingReplies(std::size_t max_unclaimed = 1024);

  // Starts tracking a send. Call before publishing it, so a fast reply is not missed.
  void ExpectAcceptance(std::string_view cmid, std::string_view req_id);
  // Starts tracking a request identified by its req_id.
  void ExpectReply(std::string_view req_id);

  // Hands over an incoming event; true when it answered a tracked entry.
  bool Offer(const Event& event);

  // Whether `event` is a reply to a request (`sync`, `conv`, `history`,
  // `error`, ...): it carries a req_id and no cmid and came to this device alone.
  static bool IsRequestReply(const Event& event);
  // Whether a send or request with this req_id is tracked and not yet answered.
  bool IsOpen(std::string_view req_id) const;
  // Answers every open request (sends stay open) with `answer`, its req_id
  // set to the request's; returns how many.
  std::size_t FailRequests(const Event& answer);

  // Blocks until the send with this cmid is answered (then forgets it) or
  // `timeout` passes (then keeps it). nullopt on timeout or when not tracked.
  std::optional<Event> WaitForAcceptance(std::string_view cmid, std::chrono::milliseconds timeout);
  // The same for a request's req_id.
  std::optional<Event> WaitForReply(std::string_view req_id, std::chrono::milliseconds timeout);

  // Stops tracking (e.g. when the publish itself failed).
  void ForgetSend(std::string_view cmid);
  void ForgetRequest(std::string_view req_id);

  // Entries tracked and not yet answered.
  std::size_t open_count() const;

 private:
  struct Slot {
    std::string cmid_key;  // key in slots_, or empty
    std::string req_key;   // key in slots_, or empty
    std::optional<Event> answer;
    bool dropped = false;  // forgotten or replaced before an answer came
  };
  using SlotPtr = std::shared_ptr<Slot>;

  void Track(std::string cmid_key, std::string req_key);
  void AnswerLocked(const SlotPtr& slot, const Event& event);
  SlotPtr Find(const std::string& key) const;
  SlotPtr MatchLocked(const Event& event) const;
  std::optional<Event> WaitFor(const std::string& key, std::chrono::milliseconds timeout);
  void EraseLocked(const SlotPtr& slot);
  void Forget(const std::string& key);

  const std::size_t max_unclaimed_;
  mutable std::mutex mu_;
  std::condition_variable answered_;
  std::unordered_map<std::string, SlotPtr> slots_;  // "c:" + cmid and "r:" + req_id
  std::deque<std::weak_ptr<Slot>> unclaimed_;       // answered, oldest first
  std::size_t open_ = 0;
};

}  // namespace chat::client
