// Hand-offs between chatd's threads: an unbounded FIFO that one thread (or
// several) pushes to and one thread drains in batches.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <vector>

namespace chat {

template <typename T>
class BlockingQueue {
 public:
  // Any thread. Never blocks for long.
  void Push(T item) {
    {
      std::lock_guard lock(mutex_);
      items_.push_back(std::move(item));
    }
    ready_.notify_one();
  }

  // Any thread: ends the current or next wait of PopBatch now, even with
  // nothing queued (the consumer has other work: chatd's query thread, for
  // presence changes).
  void Wake() {
    {
      std::lock_guard lock(mutex_);
      woken_ = true;
    }
    ready_.notify_one();
  }

  // Waits up to `timeout` for the first item (or a Wake), then takes up to
  // `max` items that are already queued (a group-commit batch).
  std::vector<T> PopBatch(std::size_t max, std::chrono::milliseconds timeout) {
    std::vector<T> batch;
    std::unique_lock lock(mutex_);
    if (!ready_.wait_for(lock, timeout, [this] { return !items_.empty() || woken_; })) return batch;
    woken_ = false;
    while (!items_.empty() && batch.size() < max) {
      batch.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    return batch;
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<T> items_;
  bool woken_ = false;
};

}  // namespace chat
