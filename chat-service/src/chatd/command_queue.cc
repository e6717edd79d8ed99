// Thread hand-off queue.
#include "chatd/command_queue.h"

namespace chat {

void CommandQueue::Push(RawCommand command) {
  {
    std::lock_guard lock(mutex_);
    items_.push_back(std::move(command));
  }
  ready_.notify_one();
}

std::vector<RawCommand> CommandQueue::PopBatch(std::size_t max,
                                               std::chrono::milliseconds timeout) {
  std::vector<RawCommand> batch;
  std::unique_lock lock(mutex_);
  if (!ready_.wait_for(lock, timeout, [this] { return !items_.empty(); })) return batch;
  while (!items_.empty() && batch.size() < max) {
    batch.push_back(std::move(items_.front()));
    items_.pop_front();
  }
  return batch;
}

std::size_t CommandQueue::size() const {
  std::lock_guard lock(mutex_);
  return items_.size();
}

}  // namespace chat
