// Publishing the outbox in order, within a window, with resend on timeout.
#include "outbox_sender.h"

#include <algorithm>

#include "command_encoding.h"

namespace chat::client {

namespace {
// Repeated holds after `unavailable`: chatd stays away longer than it said.
const BackoffPolicy kUnavailableBackoff{std::chrono::milliseconds(1000),
                                        std::chrono::milliseconds(30000)};
}  // namespace

OutboxSender::OutboxSender(Database db, OutboxSenderOptions options, PublishFn publish,
                           Backoff::Uniform uniform)
    : options_(options),
      publish_(std::move(publish)),
      db_(std::move(db)),
      outbox_(db_),
      unavailable_backoff_(kUnavailableBackoff, std::move(uniform)) {
  for (OutboxEntry& entry : outbox_.LoadAll()) {
    std::string payload = EncodeSend(ToSendRequest(entry));
    slots_.push_back({std::move(entry), std::move(payload), std::nullopt});
  }
}

Outbox::Added OutboxSender::Add(const SendRequest& request, int64_t created_ms,
                                Clock::time_point now) {
  OutboxEntry entry{0,
                    request.cmid.value_or(""),
                    request.conv,
                    request.to,
                    request.body,
                    request.req_id.value_or(""),
                    created_ms};
  std::lock_guard lock(mu_);
  Outbox::Added added = outbox_.Add(entry);  // durable before any publish
  if (added == Outbox::Added::kAdded) {
    slots_.push_back({std::move(entry), EncodeSend(request), std::nullopt});
    PumpLocked(now);
  }
  return added;
}

std::optional<OutboxEntry> OutboxSender::Settle(std::string_view cmid, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = std::find_if(slots_.begin(), slots_.end(),
                         [&](const Slot& slot) { return slot.entry.cmid == cmid; });
  if (it == slots_.end()) return std::nullopt;
  outbox_.Remove(cmid);
  OutboxEntry entry = std::move(it->entry);
  slots_.erase(it);
  unavailable_backoff_.Reset();  // chatd answers
  PumpLocked(now);               // the window has room for the next one
  return entry;
}

std::optional<std::string> OutboxSender::OnlyInFlight() const {
  std::lock_guard lock(mu_);
  const Slot* only = nullptr;
  for (const Slot& slot : slots_) {
    if (!slot.sent_at) continue;
    if (only != nullptr) return std::nullopt;
    only = &slot;
  }
  if (only == nullptr) return std::nullopt;
  return only->entry.cmid;
}

bool OutboxSender::Contains(std::string_view cmid) const {
  std::lock_guard lock(mu_);
  return std::any_of(slots_.begin(), slots_.end(),
                     [&](const Slot& slot) { return slot.entry.cmid == cmid; });
}

void OutboxSender::SetOnline(bool online, Clock::time_point now) {
  std::lock_guard lock(mu_);
  online_ = online;
  for (Slot& slot : slots_) slot.sent_at.reset();
  PumpLocked(now);
}

void OutboxSender::HoldAfterUnavailable(std::chrono::milliseconds retry_after,
                                        Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (held_until_ && now < *held_until_) return;  // another refusal of the same absence
  held_until_ = now + std::max(retry_after, unavailable_backoff_.Next());
  for (Slot& slot : slots_) slot.sent_at.reset();  // refused or not, all go again
}

void OutboxSender::ResendNow(Clock::time_point now) {
  std::lock_guard lock(mu_);
  held_until_.reset();
  unavailable_backoff_.Reset();
  for (Slot& slot : slots_) slot.sent_at.reset();
  PumpLocked(now);
}

void OutboxSender::Pump(Clock::time_point now) {
  std::lock_guard lock(mu_);
  PumpLocked(now);
}

bool OutboxSender::PublishLocked(Slot& slot, Clock::time_point now) {
  if (!publish_(slot.payload).ok()) return false;
  slot.sent_at = now;
  return true;
}

void OutboxSender::PumpLocked(Clock::time_point now) {
  if (!online_) return;
  if (held_until_) {
    if (now < *held_until_) return;
    held_until_.reset();
  }
  std::size_t in_flight = static_cast<std::size_t>(
      std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.sent_at; }));
  for (Slot& slot : slots_) {
    if (slot.sent_at) {
      if (now - *slot.sent_at < options_.accept_timeout) continue;
      if (!PublishLocked(slot, now)) return;  // not connected after all: wait for the next turn
    } else {
      if (in_flight >= options_.window) continue;
      if (!PublishLocked(slot, now)) return;
      ++in_flight;
    }
  }
}

std::optional<OutboxSender::Clock::time_point> OutboxSender::NextDeadline() const {
  std::lock_guard lock(mu_);
  if (held_until_ && !slots_.empty()) return held_until_;
  std::optional<Clock::time_point> next;
  for (const Slot& slot : slots_) {
    if (!slot.sent_at) continue;
    Clock::time_point due = *slot.sent_at + options_.accept_timeout;
    if (!next || due < *next) next = due;
  }
  return next;
}

std::vector<OutboxEntry> OutboxSender::Pending() const {
  std::lock_guard lock(mu_);
  std::vector<OutboxEntry> out;
  for (const Slot& slot : slots_) out.push_back(slot.entry);
  return out;
}

std::size_t OutboxSender::size() const {
  std::lock_guard lock(mu_);
  return slots_.size();
}

}  // namespace chat::client
