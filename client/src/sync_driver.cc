// The sync round state machine.
#include "sync_driver.h"

#include "chat/protocol.h"
#include "command_encoding.h"

namespace chat::client {

SyncDriver::SyncDriver(SyncPolicy policy, Backoff::Uniform uniform)
    : policy_(policy), retry_(policy.retry, std::move(uniform)) {}

void SyncDriver::Want() {
  if (!supported_) return;
  if (!wanted_) not_before_ = Clock::time_point{};
  wanted_ = true;
}

void SyncDriver::OnDisconnected() {
  connected_ = false;
  if (awaiting_ || next_page_) wanted_ = true;  // the interrupted round starts over
  awaiting_.reset();
  next_page_ = false;
}

void SyncDriver::OnConnected() {
  connected_ = true;
  supported_ = true;
  retry_.Reset();
  wanted_ = true;
  not_before_ = Clock::time_point{};
}

void SyncDriver::OnReceived(Clock::time_point now) {
  ++received_;
  last_received_ = now;
}

std::optional<SyncDriver::Clock::time_point> SyncDriver::BacklogDue() const {
  if (policy_.backlog_events == 0 || received_ < policy_.backlog_events) return std::nullopt;
  return std::min(last_received_ + policy_.backlog_quiet, round_began_ + policy_.backlog_interval);
}

void SyncDriver::RetryLater(Clock::time_point now) {
  next_page_ = false;
  wanted_ = true;
  not_before_ = now + retry_.Next();
}

std::optional<std::string> SyncDriver::Poll(Clock::time_point now) {
  if (!connected_ || !supported_) return std::nullopt;
  if (awaiting_) {
    if (now - sent_at_ < policy_.reply_timeout) return std::nullopt;
    awaiting_.reset();  // unanswered: a late reply is no longer ours
    RetryLater(now);
    return std::nullopt;
  }
  if (auto due = BacklogDue(); due && now >= *due && !wanted_) Want();
  if (next_page_) {
    next_page_ = false;
  } else if (wanted_ && now >= not_before_) {
    wanted_ = false;
    received_ = 0;  // what this round cannot cover arrives from now on
    round_began_ = now;
  } else {
    return std::nullopt;
  }
  awaiting_ = "sync-" + NewRequestId();
  sent_at_ = now;
  return awaiting_;
}

SyncDriver::Reply SyncDriver::OnReply(const Event& reply, Clock::time_point now) {
  if (!awaiting_ || reply.req_id != *awaiting_) return Reply::kNotMine;
  if (!reply.Is(event_type::kSync) && !reply.Is(event_type::kError)) return Reply::kNotMine;
  awaiting_.reset();
  if (reply.Is(event_type::kError)) {
    if (reply.HasCode(protocol::ErrorCode::kUnknownType)) {
      supported_ = false;
      wanted_ = false;
      next_page_ = false;
      return Reply::kUnsupported;
    }
    RetryLater(now);
    return Reply::kFailed;
  }
  if (reply.more) {
    next_page_ = true;
    return Reply::kNextPage;
  }
  return Reply::kRoundDone;
}

void SyncDriver::AfterRound(bool gaps_remain, Clock::time_point now) {
  if (!gaps_remain) {
    retry_.Reset();
    return;
  }
  if (wanted_) return;  // a round is already queued (a new gap appeared meanwhile)
  RetryLater(now);
}

std::optional<SyncDriver::Clock::time_point> SyncDriver::NextDeadline() const {
  if (!connected_ || !supported_) return std::nullopt;
  if (awaiting_) return sent_at_ + policy_.reply_timeout;
  if (next_page_) return Clock::time_point{};
  if (wanted_) return not_before_;
  return BacklogDue();
}

}  // namespace chat::client
