// The bounded hand-off of events from the receive thread to the application.
#include "chat/client/event_queue.h"

#include <utility>

namespace chat::client {

EventQueue::EventQueue(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

void EventQueue::Push(Event event) {
  {
    std::lock_guard lock(mu_);
    if (events_.size() >= capacity_) {
      events_.pop_front();
      ++dropped_;
    }
    events_.push_back(std::move(event));
  }
  not_empty_.notify_one();
}

std::optional<Event> EventQueue::Pop(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!not_empty_.wait_for(lock, timeout, [this] { return !events_.empty(); })) {
    return std::nullopt;
  }
  Event event = std::move(events_.front());
  events_.pop_front();
  return event;
}

std::size_t EventQueue::size() const {
  std::lock_guard lock(mu_);
  return events_.size();
}

uint64_t EventQueue::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

}  // namespace chat::client
