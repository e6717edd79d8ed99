// The hand-off from Paho's callback thread to chatd's writer thread:
// an unbounded FIFO of raw (topic, payload) pairs.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace chat {

struct RawCommand {
  std::string topic;
  std::string payload;
};

class CommandQueue {
 public:
  // Any thread. Never blocks for long.
  void Push(RawCommand command);
  // Writer thread: waits up to `timeout` for the first command, then takes
  // up to `max` commands that are already queued (the group-commit batch).
  std::vector<RawCommand> PopBatch(std::size_t max, std::chrono::milliseconds timeout);
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<RawCommand> items_;
};

}  // namespace chat
