// The receive path: outbox settlement, waits, sequencing, sync.
#include "receiver.h"

#include <optional>

#include "chat/protocol.h"
#include "command_encoding.h"

namespace chat::client {

Receiver::Receiver(ReceiverOptions options, std::map<std::string, int64_t> cursors,
                   OutboxSender& outbox, PendingReplies& pending, EventQueue& events,
                   PublishFn publish, Backoff::Uniform uniform)
    : options_(std::move(options)),
      outbox_(outbox),
      pending_(pending),
      events_(events),
      publish_(std::move(publish)),
      sequencer_(std::move(cursors)),
      sync_(options_.sync, std::move(uniform)),
      convs_(options_.user) {}

void Receiver::OnEvent(Event event, Clock::time_point now) {
  sync_.OnReceived(now);
  if (event.Is(event_type::kInvalid)) return Deliver(std::move(event));
  if (event.Is(event_type::kReady) || event.HasCode(protocol::ErrorCode::kUnavailable)) {
    HandleChatdAbsence(event, now);
  }
  if (event.HasCode(protocol::ErrorCode::kRateLimited)) {
    outbox_.HoldAfterUnavailable(std::chrono::milliseconds(event.retry_after_ms), now);
  }
  if (HandleSyncReply(event, now)) return;
  if (event.Is(event_type::kHead)) return OnHead(event);
  if (event.Is(event_type::kAccepted) && !SettleOwn(event, now)) {
    pending_.Offer(event);  // still the reply to its req_id
    return;
  }
  if (event.Is(event_type::kMsg)) AcceptOwn(event, now);  // sent by another device of the user
  if (event.Is(event_type::kError) && !SettleError(event, now)) return Deliver(std::move(event));
  pending_.Offer(event);
  if (event.IsSequenced()) return Sequence(std::move(event));
  {
    std::lock_guard lock(convs_mu_);
    convs_.ApplyEvent(event);
  }
  Deliver(std::move(event));
}

void Receiver::HandleChatdAbsence(const Event& event, Clock::time_point now) {
  if (event.Is(event_type::kError)) {
    outbox_.HoldAfterUnavailable(std::chrono::milliseconds(event.retry_after_ms), now);
    return;
  }
  outbox_.ResendNow(now);
  if (sync_.awaiting()) {  // refused too, most likely: ask again now
    sync_.OnDisconnected();
    sync_.OnConnected();
  }
}

bool Receiver::HandleSyncReply(Event& event, Clock::time_point now) {
  switch (sync_.OnReply(event, now)) {
    case SyncDriver::Reply::kNotMine: return false;
    case SyncDriver::Reply::kFailed:
      Deliver(MakeLocalEvent(event_type::kSyncFailed, event.message, event.code));
      return true;
    case SyncDriver::Reply::kUnsupported:
      Release(sequencer_.AdoptHeldStarts());
      Deliver(MakeLocalEvent(event_type::kSyncFailed, event.message, event.code));
      return true;
    case SyncDriver::Reply::kNextPage:
    case SyncDriver::Reply::kRoundDone: break;
  }
  for (Event& message : event.messages) AcceptOwn(message, now);
  // Messages first, then the list: the server's counts already include them.
  Release(sequencer_.ApplySyncPage(std::move(event.messages), event.cursors));
  {
    std::lock_guard lock(convs_mu_);
    convs_.ApplySync(event.convs);
  }
  if (event.more) return true;
  sync_.AfterRound(sequencer_.HoldsAnything(), now);
  Event summary = MakeLocalEvent(event_type::kSync, "");
  summary.convs = Conversations();
  summary.cursors = sequencer_.Cursors();
  Deliver(std::move(summary));
  return true;
}

bool Receiver::SettleOwn(Event& accepted, Clock::time_point now) {
  accepted.from = options_.user;
  accepted.dev = options_.device;
  // The backend leaves out what this device sent (the body, and the
  // conversation unless the send named `to`): the app gets them back from
  // the outbox entry, as if they had come along.
  if (auto entry = outbox_.Settle(accepted.cmid, now)) {
    accepted.body = std::move(entry->body);
    if (accepted.conv.empty()) accepted.conv = std::move(entry->conv);
  }
  // Settled before (a late duplicate), or the outbox was lost: the message
  // comes again with its conversation by `sync`.
  return !accepted.conv.empty();
}

void Receiver::AcceptOwn(Event& message, Clock::time_point now) {
  if (message.from != options_.user || message.IsSystem()) return;
  message.type = event_type::kAccepted;
  if (message.dev != options_.device) return;
  outbox_.Settle(message.cmid, now);
  pending_.Offer(message);
}

bool Receiver::SettleError(Event& event, Clock::time_point now) {
  if (event.cmid.empty() && event.req_id.empty() &&
      event.HasCode(protocol::ErrorCode::kPayloadTooLarge)) {
    if (auto only = outbox_.OnlyInFlight()) event.cmid = *only;
  }
  if (event.cmid.empty() || !outbox_.Contains(event.cmid)) return true;
  std::optional<protocol::ErrorCode> code = protocol::ParseErrorCode(event.code);
  if (code && protocol::IsRetryable(*code)) return false;  // resent with the same cmid
  outbox_.Settle(event.cmid, now);
  return true;
}

bool Receiver::Backlogged() const {
  return events_.messages_waiting() + sequencer_.held_count() >= events_.capacity();
}

void Receiver::Sequence(Event event) {
  if (Backlogged()) {
    resync_needed_ = true;  // not taken: the next sync fetches it again
    return;
  }
  Sequencer::Outcome outcome = sequencer_.Offer(std::move(event));
  Release(std::move(outcome.released));
  if (outcome.verdict != Sequencer::Verdict::kHeld || !outcome.gap_opened) return;
  if (sync_.supported()) {
    sync_.Want();
  } else {
    Release(sequencer_.AdoptHeldStarts());
  }
}

void Receiver::OnHead(const Event& head) {
  std::optional<int64_t> cursor = sequencer_.Cursor(head.conv);
  if (cursor && *cursor >= head.seq) return;  // the live copies came after all
  if (Backlogged()) {
    resync_needed_ = true;
  } else if (sync_.supported()) {
    sync_.Want();
  }
}

void Receiver::Release(std::vector<Event> events) {
  for (Event& event : events) {
    {
      std::lock_guard lock(convs_mu_);
      convs_.ApplyMessage(event);
    }
    events_.Push(std::move(event), /*droppable=*/false);
  }
}

void Receiver::Deliver(Event event) { events_.Push(std::move(event), /*droppable=*/true); }

void Receiver::OnConnected() { sync_.OnConnected(); }

void Receiver::OnDisconnected() { sync_.OnDisconnected(); }

void Receiver::Poll(Clock::time_point now) {
  if (resync_needed_ && events_.messages_waiting() < events_.capacity() / 2) {
    resync_needed_ = false;
    sync_.Want();
  }
  if (Backlogged()) return;
  std::optional<std::string> req_id = sync_.Poll(now);
  if (!req_id) return;
  // A failed publish is noticed as an unanswered request and retried.
  publish_(EncodeSync(*req_id, sequencer_.Cursors(), options_.sync_page_limit));
}

std::optional<Receiver::Clock::time_point> Receiver::NextDeadline() const {
  return sync_.NextDeadline();
}

std::vector<ConversationSummary> Receiver::Conversations() const {
  std::lock_guard lock(convs_mu_);
  return convs_.List();
}

std::optional<std::string> Receiver::DirectConversationWith(const std::string& peer) const {
  std::lock_guard lock(convs_mu_);
  return convs_.DirectWith(peer);
}

void Receiver::NoteRead(const std::string& conv, int64_t seq) {
  std::lock_guard lock(convs_mu_);
  convs_.ApplyRead(conv, seq);
}

}  // namespace chat::client
