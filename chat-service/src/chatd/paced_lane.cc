// Slicing and shedding of the paced lane.
#include "chatd/paced_lane.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "chatd/events.h"

namespace chat {

PacedLane::PacedLane(PacedLaneOptions options)
    : options_(std::move(options)),
      slice_(std::max<std::size_t>(options_.slice_copies, 1)),
      last_empty_(options_.now()),
      last_resize_(last_empty_) {
  stats_.largest_slice = slice_;
}

void PacedLane::Offer(std::vector<PacedItem> items) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.empty()) last_empty_ = options_.now();  // empty until now: busy from here
    for (PacedItem& item : items) {
      std::size_t copies = item.topics.size();
      if (copies == 0) continue;
      if (!shedding_ && queued_copies_ + copies > options_.max_queued_copies) {
        shedding_ = true;
        spdlog::warn(
            "paced lane: {} copies waiting for the broker (paced_queue_copies {}); large "
            "conversations' members get `head` events instead of live copies until half are out",
            queued_copies_, options_.max_queued_copies);
      }
      if (shedding_) {
        Shed(item);
        continue;
      }
      queued_copies_ += copies;
      stats_.copies_queued += copies;
      queue_.push_back(std::move(item));
    }
  }
  ready_.notify_one();
}

void PacedLane::Shed(PacedItem& item) {
  if (item.kind == PacedItem::Kind::kTyping) {
    stats_.typing_dropped += item.topics.size();
    return;
  }
  stats_.copies_shed += item.topics.size();
  for (std::string& topic : item.topics) {
    auto it = pending_heads_.find(topic);
    if (it != pending_heads_.end()) {
      it->second.seq = std::max(it->second.seq, item.seq);
    } else if (pending_heads_.size() < options_.max_pending_heads) {
      pending_heads_.emplace(std::move(topic), Head{item.conv, item.seq});
    } else {
      ++stats_.heads_lost;
    }
  }
}

void PacedLane::EndSheddingIfCaughtUp() {
  if (!shedding_ || queued_copies_ > options_.max_queued_copies / 2) return;
  shedding_ = false;
  spdlog::info("paced lane: caught up; {} copies shed so far, {} topics owed a `head`",
               stats_.copies_shed, pending_heads_.size());
}

void PacedLane::AdaptSlice() {
  auto now = options_.now();
  if (queue_.empty()) last_empty_ = now;
  std::size_t smallest = std::max<std::size_t>(options_.slice_copies, 1);
  std::size_t largest = std::max(options_.max_slice_copies, smallest);
  std::size_t before = slice_;
  if (shedding_) {
    // The broker cannot keep up even with large slices: the members catch up
    // by `sync` anyway, and the smallest slices keep its passes short.
    slice_ = smallest;
  } else if (!queue_.empty() && now - last_empty_ >= options_.grow_after &&
             now - last_resize_ >= options_.grow_after) {
    slice_ = std::min(slice_ * 2, largest);
  } else if (queue_.empty() && now - last_resize_ >= options_.shrink_after) {
    slice_ = std::max(slice_ / 2, smallest);
  }
  if (slice_ == before) return;
  last_resize_ = now;
  stats_.largest_slice = std::max(stats_.largest_slice, slice_);
  spdlog::debug("paced lane: slices of {} copies now ({} queued)", slice_, queued_copies_);
}

std::optional<std::string> PacedLane::TakeSlice() {
  EndSheddingIfCaughtUp();  // also when a single item was larger than the whole queue
  AdaptSlice();
  if (ready_payloads_.empty()) {
    FanoutBatch slice;
    std::size_t budget = slice_;
    // Heads as soon as the shedding is over: under a steady overload the
    // queue may never empty. A head that overtakes a queued copy of its
    // conversation costs a `sync` the copy would have spared, nothing more.
    if (!queue_.empty() && (shedding_ || pending_heads_.empty())) {
      while (budget > 0 && !queue_.empty()) {
        PacedItem& front = queue_.front();
        std::size_t take = std::min(budget, front.topics.size());
        std::vector<std::string> topics(std::make_move_iterator(front.topics.begin()),
                                        std::make_move_iterator(front.topics.begin() + take));
        front.topics.erase(front.topics.begin(), front.topics.begin() + take);
        slice.Add(std::move(topics), front.payload);
        budget -= take;
        queued_copies_ -= take;
        if (front.topics.empty()) queue_.pop_front();
      }
      EndSheddingIfCaughtUp();
    } else {
      std::map<std::pair<std::string, int64_t>, std::vector<std::string>> by_head;
      while (budget > 0 && !pending_heads_.empty()) {
        auto node = pending_heads_.extract(pending_heads_.begin());
        by_head[{node.mapped().conv, node.mapped().seq}].push_back(std::move(node.key()));
        --budget;
        ++stats_.heads_sent;
      }
      for (auto& [head, topics] : by_head) {
        slice.Add(std::move(topics), EncodeHead(head.first, head.second));
      }
    }
    for (std::string& payload : slice.Encode(slice_)) {
      ready_payloads_.push_back(std::move(payload));
    }
  }
  if (ready_payloads_.empty()) return std::nullopt;
  std::string payload = std::move(ready_payloads_.front());
  ready_payloads_.pop_front();
  return payload;
}

std::optional<std::string> PacedLane::NextSlice(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  std::optional<std::string> slice = TakeSlice();
  if (slice) return slice;
  ready_.wait_for(lock, wait, [&] {
    return interrupted_ || !queue_.empty() || !pending_heads_.empty() || !ready_payloads_.empty();
  });
  interrupted_ = false;
  return TakeSlice();
}

void PacedLane::Interrupt() {
  {
    std::lock_guard lock(mutex_);
    interrupted_ = true;
  }
  ready_.notify_all();
}

std::size_t PacedLane::slice_copies() const {
  std::lock_guard lock(mutex_);
  return slice_;
}

std::size_t PacedLane::queued_copies() const {
  std::lock_guard lock(mutex_);
  return queued_copies_;
}

bool PacedLane::shedding() const {
  std::lock_guard lock(mutex_);
  return shedding_;
}

PacedLaneStats PacedLane::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace chat
