// This is an internal header of the client library, not for apps.
// When to send `sync` requests: one round (pages until `more` is false) on
// every (re)connect and whenever a gap appears, retried with backoff.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "backoff.h"
#include "chat/client/chat_client.h"  // SyncPolicy
#include "chat/client/event.h"

namespace chat::client {

// A state machine with no I/O: the caller sends the `sync` requests Poll()
// names (with its current cursors) and hands every reply to OnReply().
//
// A round is wanted (Want) on connect, on a new gap, and after a backlog
// (OnReceived: SyncPolicy::backlog_events received since the last round
// began, then a pause or backlog_interval); wanting while a round
// runs queues one more round after it, since the running one may have been
// answered from older cursors. A page with `more` asks for the next page at
// once. A failed or unanswered request is retried after a backoff delay, as
// is a round after which the caller still holds an unfilled gap
// (AfterRound(true)). A server that does not know `sync` (error
// unknown_type) makes the driver stop until the next connect.
//
// Pure; time is passed in. Not thread-safe: owned by the client's worker.
class SyncDriver {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Reply { kNotMine, kNextPage, kRoundDone, kFailed, kUnsupported };

  explicit SyncDriver(SyncPolicy policy = {}, Backoff::Uniform uniform = {});

  // A round should run as soon as possible (coalesced).
  void Want();
  // The connection is gone: forget the request in flight; rounds wait for OnConnected.
  void OnDisconnected();
  // A new connection: a round starts now; an unsupported server is asked again.
  void OnConnected();
  // One more packet came from the broker (the backlog check counts them).
  void OnReceived(Clock::time_point now);

  // The req_id of a `sync` to send now, or nullopt. Also detects a timed-out request.
  std::optional<std::string> Poll(Clock::time_point now);
  // Classifies a reply (sync or error); only the awaited req_id is ours.
  Reply OnReply(const Event& reply, Clock::time_point now);
  // After kRoundDone: whether the caller still holds messages behind a gap.
  void AfterRound(bool gaps_remain, Clock::time_point now);

  // When Poll has something to do next (nullopt: nothing scheduled).
  std::optional<Clock::time_point> NextDeadline() const;
  bool awaiting() const { return awaiting_.has_value(); }
  // Whether `req_id` is the request in flight (a reply to an earlier one is nobody's).
  bool Awaits(std::string_view req_id) const { return awaiting_ && *awaiting_ == req_id; }
  bool supported() const { return supported_; }

 private:
  void RetryLater(Clock::time_point now);
  // When the backlog check wants a round (nullopt: not enough received yet).
  std::optional<Clock::time_point> BacklogDue() const;

  SyncPolicy policy_;
  Backoff retry_;
  bool connected_ = false;
  bool supported_ = true;
  bool wanted_ = false;     // a round is due at not_before_
  bool next_page_ = false;  // the round continues: send the next page now
  Clock::time_point not_before_{};
  std::optional<std::string> awaiting_;  // req_id of the request in flight
  Clock::time_point sent_at_{};
  std::size_t received_ = 0;           // packets since the last round began
  Clock::time_point last_received_{};  // when the last of them came
  Clock::time_point round_began_{};
};

}  // namespace chat::client
