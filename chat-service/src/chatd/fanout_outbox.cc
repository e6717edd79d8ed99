// Merging of the fan-out outbox's payloads.
#include "chatd/fanout_outbox.h"

#include <algorithm>

namespace chat {

FanoutOutbox::FanoutOutbox(std::size_t max_bytes, std::size_t max_waiting_bytes)
    : max_bytes_(max_bytes), max_waiting_bytes_(max_waiting_bytes) {}

bool FanoutOutbox::Push(std::string payload) {
  bool dropped = false;
  {
    std::lock_guard lock(mutex_);
    while (max_waiting_bytes_ > 0 && !payloads_.empty() &&
           waiting_bytes_ + payload.size() > max_waiting_bytes_) {
      waiting_bytes_ -= payloads_.front().size();
      payloads_.pop_front();
      ++stats_.dropped;
      dropped = true;
    }
    waiting_bytes_ += payload.size();
    payloads_.push_back(std::move(payload));
    ++stats_.payloads;
  }
  ready_.notify_one();
  return dropped;
}

std::optional<std::string> FanoutOutbox::Next(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, wait, [this] { return !payloads_.empty() || interrupted_; });
  interrupted_ = false;
  if (payloads_.empty()) return std::nullopt;
  std::string merged = std::move(payloads_.front());
  payloads_.pop_front();
  std::size_t count = 1;
  while (!payloads_.empty() && merged.size() + payloads_.front().size() <= max_bytes_) {
    merged += payloads_.front();
    payloads_.pop_front();
    ++count;
  }
  waiting_bytes_ -= merged.size();
  ++stats_.publishes;
  stats_.largest_merge = std::max(stats_.largest_merge, count);
  return merged;
}

void FanoutOutbox::Interrupt() {
  {
    std::lock_guard lock(mutex_);
    interrupted_ = true;
  }
  ready_.notify_one();
}

bool FanoutOutbox::empty() const {
  std::lock_guard lock(mutex_);
  return payloads_.empty();
}

FanoutOutboxStats FanoutOutbox::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace chat
