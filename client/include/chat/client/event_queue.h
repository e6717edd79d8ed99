// A bounded queue handing events from the MQTT receive thread to the application.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

#include "chat/client/event.h"

namespace chat::client {

// Multi-producer, multi-consumer FIFO. Push never blocks its caller (it runs
// on Paho's thread): past `capacity` the oldest event is dropped and counted,
// which is safe because every chat event can be recovered by sync.
class EventQueue {
 public:
  explicit EventQueue(std::size_t capacity = 10000);

  void Push(Event event);
  // The oldest event, waiting up to `timeout` for one; nullopt on timeout.
  std::optional<Event> Pop(std::chrono::milliseconds timeout);

  std::size_t size() const;
  uint64_t dropped() const;

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_empty_;
  std::deque<Event> events_;
  uint64_t dropped_ = 0;
};

}  // namespace chat::client
