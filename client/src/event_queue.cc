// The hand-off of events from the worker thread to the application.
#include "event_queue.h"

#include <algorithm>
#include <utility>

namespace chat::client {

EventQueue::EventQueue(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

void EventQueue::Push(Event event, bool droppable) {
  {
    std::lock_guard lock(mu_);
    if (items_.size() >= capacity_) {
      auto oldest = std::find_if(items_.begin(), items_.end(),
                                 [](const Item& item) { return item.droppable; });
      if (oldest != items_.end()) {
        items_.erase(oldest);
        ++dropped_;
      } else if (droppable) {
        ++dropped_;  // nothing older may go: this one does
        return;
      }
    }
    if (!droppable) ++undroppable_;
    items_.push_back({std::move(event), droppable});
  }
  not_empty_.notify_one();
}

std::optional<Event> EventQueue::Pop(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!not_empty_.wait_for(lock, timeout, [this] { return !items_.empty(); })) {
    return std::nullopt;
  }
  Item item = std::move(items_.front());
  items_.pop_front();
  if (!item.droppable) --undroppable_;
  return std::move(item.event);
}

std::size_t EventQueue::size() const {
  std::lock_guard lock(mu_);
  return items_.size();
}

std::size_t EventQueue::messages_waiting() const {
  std::lock_guard lock(mu_);
  return undroppable_;
}

uint64_t EventQueue::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

}  // namespace chat::client
