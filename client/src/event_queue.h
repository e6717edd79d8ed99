// This is an internal header of the client library, not for apps.
// A queue handing events from the client's worker thread to the application.
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

// Multi-producer, multi-consumer FIFO. Push never blocks its caller. Past
// `capacity`, the oldest *droppable* event is dropped and counted: replies,
// receipts, typing and local events are droppable (waits are answered
// elsewhere, cursors and sync recover the rest); conversation messages are
// not, because the client has already counted them as handed over. The
// client keeps messages bounded itself by not taking new ones while
// messages_waiting() >= capacity (they are fetched again by sync later).
class EventQueue {
 public:
  explicit EventQueue(std::size_t capacity = 10000);

  // `droppable`: may be dropped past capacity (see the class comment).
  void Push(Event event, bool droppable);
  // The oldest event, waiting up to `timeout` for one; nullopt on timeout.
  std::optional<Event> Pop(std::chrono::milliseconds timeout);

  std::size_t size() const;
  // Queued events that are not droppable (conversation messages).
  std::size_t messages_waiting() const;
  std::size_t capacity() const { return capacity_; }
  uint64_t dropped() const;

 private:
  struct Item {
    Event event;
    bool droppable;
  };

  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_empty_;
  std::deque<Item> items_;
  std::size_t undroppable_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace chat::client
