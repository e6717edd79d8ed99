// This is an internal header of the client library, not for apps.
// What the client does with each event the backend sends: settle the
// outbox, answer waits, order and deduplicate conversation streams, drive
// sync, keep the conversation list, and hand events to the application.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "chat/client/event.h"
#include "conversation_list.h"
#include "event_queue.h"
#include "outbox_sender.h"
#include "pending_replies.h"
#include "sequencer.h"
#include "sync_driver.h"

namespace chat::client {

struct ReceiverOptions {
  std::string user;
  std::string device;
  int sync_page_limit = 1000;
  SyncPolicy sync;
};

// Rules, in the order they apply to one event:
//  1. A reply to the sync request in flight is consumed: its messages go
//     through the sequencer, its convs into the list; `more` asks for the
//     next page; the end of a round is a local `sync` event whose `convs` is
//     the whole list. A failed sync is a local `sync.failed` (retried later).
//     A page message of this user is its acceptance, whichever path wins
//     the race with the live `accepted`: it reaches the application as
//     `accepted`, and one of this device settles its outbox entry and
//     answers the wait for it.
//  2. `accepted` from this device settles its outbox entry (also when dup).
//     `error` with an outbox cmid settles it unless the code is `internal`
//     (retryable: the entry stays, is resent after the accept timeout, and
//     the error answers no wait); a `payload_too_large` without ids settles
//     the only send in flight, if exactly one is.
//  3. Waits (PendingReplies) are offered the event.
//  4. msg/accepted go through the Sequencer: duplicates are dropped, a gap
//     holds later messages and starts a sync round; released messages reach
//     the application in seq order. Chosen gap filler: `sync` with all
//     cursors (not `history`), because only sync knows where a conversation
//     the device has never seen begins for this user.
//  5. `head` (the server shed this conversation's live copies under load)
//     is consumed: behind its seq, a sync round fetches what was shed.
//  6. Every other event goes to the application as it came.
// Before these, chatd's absence (PROTOCOL.md section 4): an `error`
// `unavailable` holds the outbox for its retry_after_ms; `ready` resends the
// outbox at once and asks again for a sync page left unanswered. Both then
// reach the application, which resends any request it still waits for
// (group commands are idempotent by req_id). An `error` `rate_limited` (the
// broker's budgets, PROTOCOL.md section 9) holds the outbox the same way.
// Backpressure: while the application has `capacity` messages untaken (or
// held), new live messages are not taken at all; once it has taken half of
// them, a sync round fetches what was skipped. With a server that does not
// know `sync`, conversations never seen start at their first live message.
//
// Threads: everything runs on the client's worker thread, except
// Conversations() and NoteRead(), which any thread may call (the list has
// its own mutex).
class Receiver {
 public:
  using Clock = std::chrono::steady_clock;
  using PublishFn = std::function<Status(const std::string& payload)>;

  Receiver(ReceiverOptions options, std::map<std::string, int64_t> cursors, OutboxSender& outbox,
           PendingReplies& pending, EventQueue& events, PublishFn publish,
           Backoff::Uniform uniform = {});

  void OnEvent(Event event, Clock::time_point now);
  void OnConnected();
  void OnDisconnected();
  // Asks for a sync round (coalesced).
  void RequestSync() { sync_.Want(); }
  // Sends the sync request that is due, if any.
  void Poll(Clock::time_point now);
  std::optional<Clock::time_point> NextDeadline() const;
  // Whether `req_id` is the sync request in flight.
  bool AwaitsSync(std::string_view req_id) const { return sync_.Awaits(req_id); }

  std::vector<ConversationSummary> Conversations() const;
  // The direct conversation with `peer`, once a sync or an event showed it.
  std::optional<std::string> DirectConversationWith(const std::string& peer) const;
  void NoteRead(const std::string& conv, int64_t seq);
  const Sequencer& sequencer() const { return sequencer_; }

 private:
  // `unavailable` or `ready` from the broker plugin.
  void HandleChatdAbsence(const Event& event, Clock::time_point now);
  bool HandleSyncReply(Event& event, Clock::time_point now);
  // This device's `accepted` (it comes to this device only) settles the
  // outbox entry and gets the entry's body (and conv) back. False when its
  // conversation is unknown (no entry and no `conv`): not sequenced then.
  bool SettleOwn(Event& accepted, Clock::time_point now);
  // A message sent by this user (from a sync page, or live from another of
  // its devices) becomes its `accepted`.
  void AcceptOwn(Event& message, Clock::time_point now);
  // False when the error must not answer any wait (a retryable send error).
  bool SettleError(Event& event, Clock::time_point now);
  void Sequence(Event event);
  // Rule 5: a sync round when the device is behind `head`.
  void OnHead(const Event& head);
  void Release(std::vector<Event> events);
  void Deliver(Event event);
  bool Backlogged() const;

  const ReceiverOptions options_;
  OutboxSender& outbox_;
  PendingReplies& pending_;
  EventQueue& events_;
  const PublishFn publish_;
  Sequencer sequencer_;
  SyncDriver sync_;
  bool resync_needed_ = false;  // live messages were skipped under backpressure
  mutable std::mutex convs_mu_;
  ConversationList convs_;  // guarded by convs_mu_
};

}  // namespace chat::client
