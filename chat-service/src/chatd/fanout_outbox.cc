// Merging of the fan-out outbox's payloads.
#include "chatd/fanout_outbox.h"

#include <algorithm>

namespace chat {

FanoutOutbox::FanoutOutbox(std::size_t max_bytes) : max_bytes_(max_bytes) {}

void FanoutOutbox::Push(std::string payload) {
  {
    std::lock_guard lock(mutex_);
    payloads_.push_back(std::move(payload));
    ++stats_.payloads;
  }
  ready_.notify_one();
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
