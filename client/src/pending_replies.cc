// Matching of backend replies to the sends and requests a device waits for.
#include "pending_replies.h"

#include <utility>
#include <vector>

#include "chat/protocol.h"

namespace chat::client {
namespace {

std::string CmidKey(std::string_view cmid) { return "c:" + std::string(cmid); }
std::string ReqKey(std::string_view req_id) { return "r:" + std::string(req_id); }

// Replies sent only to the requesting device's own topic: their req_id is
// ours. `accepted` goes to every device of the user, whose req_ids may
// collide with ours, so it is matched by cmid alone.
bool IsDeviceReply(const Event& event) {
  return !event.Is(event_type::kAccepted) && !event.Is(event_type::kMsg) &&
         !event.Is(event_type::kConvNew) && !event.Is(event_type::kInvalid) &&
         !event.Is(event_type::kConnectionLost) && !event.Is(event_type::kReceipt) &&
         !event.Is(event_type::kTyping);
}

}  // namespace

PendingReplies::PendingReplies(std::size_t max_unclaimed) : max_unclaimed_(max_unclaimed) {}

void PendingReplies::ExpectAcceptance(std::string_view cmid, std::string_view req_id) {
  Track(CmidKey(cmid), req_id.empty() ? std::string() : ReqKey(req_id));
}

void PendingReplies::ExpectReply(std::string_view req_id) { Track(std::string(), ReqKey(req_id)); }

void PendingReplies::Track(std::string cmid_key, std::string req_key) {
  {
    std::lock_guard lock(mu_);
    // Tracking a key again (a resend) replaces whatever held it.
    for (const std::string* key : {&cmid_key, &req_key}) {
      if (key->empty()) continue;
      if (SlotPtr old = Find(*key)) EraseLocked(old);
    }
    auto slot = std::make_shared<Slot>();
    slot->cmid_key = std::move(cmid_key);
    slot->req_key = std::move(req_key);
    if (!slot->cmid_key.empty()) slots_[slot->cmid_key] = slot;
    if (!slot->req_key.empty()) slots_[slot->req_key] = slot;
    ++open_;
  }
  answered_.notify_all();  // wakes waiters of a replaced slot
}

bool PendingReplies::Offer(const Event& event) {
  {
    std::lock_guard lock(mu_);
    SlotPtr slot = MatchLocked(event);
    if (!slot || slot->answer || slot->dropped) return false;
    AnswerLocked(slot, event);
  }
  answered_.notify_all();
  return true;
}

bool PendingReplies::IsRequestReply(const Event& event) {
  return IsDeviceReply(event) && !event.req_id.empty() && event.cmid.empty();
}

bool PendingReplies::IsOpen(std::string_view req_id) const {
  std::lock_guard lock(mu_);
  SlotPtr slot = Find(ReqKey(req_id));
  return slot && !slot->answer && !slot->dropped;
}

std::size_t PendingReplies::FailRequests(const Event& answer) {
  std::size_t failed = 0;
  {
    std::lock_guard lock(mu_);
    std::vector<SlotPtr> open;
    for (const auto& [key, slot] : slots_) {
      if (slot->cmid_key.empty() && !slot->answer && !slot->dropped) open.push_back(slot);
    }
    for (const SlotPtr& slot : open) {
      Event event = answer;
      event.req_id = slot->req_key.substr(2);  // "r:" + req_id
      AnswerLocked(slot, event);
      ++failed;
    }
  }
  if (failed > 0) answered_.notify_all();
  return failed;
}

void PendingReplies::AnswerLocked(const SlotPtr& slot, const Event& event) {
  slot->answer = event;
  --open_;
  unclaimed_.push_back(slot);
  while (unclaimed_.size() > max_unclaimed_) {
    if (SlotPtr oldest = unclaimed_.front().lock()) EraseLocked(oldest);
    unclaimed_.pop_front();
  }
}

PendingReplies::SlotPtr PendingReplies::MatchLocked(const Event& event) const {
  if (event.Is(event_type::kAccepted) || event.Is(event_type::kError)) {
    if (!event.cmid.empty()) {
      if (SlotPtr slot = Find(CmidKey(event.cmid))) return slot;
    }
  }
  if (!IsDeviceReply(event)) return nullptr;
  if (!event.req_id.empty()) return Find(ReqKey(event.req_id));
  if (event.Is(event_type::kError) && event.cmid.empty() &&
      event.HasCode(protocol::ErrorCode::kPayloadTooLarge) && open_ == 1) {
    // The broker's error carries no ids: it can only be the one open entry's
    // (PROTOCOL.md rule 7). Other id-less errors answer commands that have
    // no reply (delivered, read, typing) and are nobody's wait.
    for (const auto& [key, slot] : slots_) {
      if (!slot->answer) return slot;
    }
  }
  return nullptr;
}

std::optional<Event> PendingReplies::WaitForAcceptance(std::string_view cmid,
                                                       std::chrono::milliseconds timeout) {
  return WaitFor(CmidKey(cmid), timeout);
}

std::optional<Event> PendingReplies::WaitForReply(std::string_view req_id,
                                                  std::chrono::milliseconds timeout) {
  return WaitFor(ReqKey(req_id), timeout);
}

std::optional<Event> PendingReplies::WaitFor(const std::string& key,
                                             std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  SlotPtr slot = Find(key);
  if (!slot) return std::nullopt;
  bool done = answered_.wait_for(lock, timeout, [&] { return slot->answer || slot->dropped; });
  if (!done || !slot->answer) return std::nullopt;
  EraseLocked(slot);
  return slot->answer;
}

void PendingReplies::ForgetSend(std::string_view cmid) { Forget(CmidKey(cmid)); }

void PendingReplies::ForgetRequest(std::string_view req_id) { Forget(ReqKey(req_id)); }

void PendingReplies::Forget(const std::string& key) {
  {
    std::lock_guard lock(mu_);
    SlotPtr slot = Find(key);
    if (!slot) return;
    EraseLocked(slot);
  }
  answered_.notify_all();
}

std::size_t PendingReplies::open_count() const {
  std::lock_guard lock(mu_);
  return open_;
}

PendingReplies::SlotPtr PendingReplies::Find(const std::string& key) const {
  auto it = slots_.find(key);
  return it == slots_.end() ? nullptr : it->second;
}

void PendingReplies::EraseLocked(const SlotPtr& slot) {
  for (const std::string* key : {&slot->cmid_key, &slot->req_key}) {
    auto it = slots_.find(*key);
    if (it != slots_.end() && it->second == slot) slots_.erase(it);
  }
  if (!slot->answer && !slot->dropped) {
    --open_;
    slot->dropped = true;
  }
}

}  // namespace chat::client
