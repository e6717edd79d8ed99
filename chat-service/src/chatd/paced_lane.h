// The paced lane: the copies that wait behind everything else and give way
// first when the broker cannot keep up (docs/ARCHITECTURE.md, "Overload").
//
// chatd publishes a batch's other copies at once on its fan-out connection;
// the paced ones (FanoutBatch::TakePaced: the live copies of a large
// conversation's messages, and `typing`) come here and leave in slices of
// at most `slice_copies` copies on a connection of their own. The broker
// reads one packet per connection per pass of its loop, so each pass carries
// at most one slice next to whatever 1:1 traffic is ready: a large group
// cannot hold a small conversation up by more than one slice.
//
// Small slices keep those passes short but cap the lane at one slice per
// pass. So the slice adapts: when the queue has not been empty for
// `grow_after` (the broker fans out less at this size than the groups ask),
// slices double, up to `max_slice_copies`; when it is empty and
// `shrink_after` has passed since the last change, they halve, down to
// `slice_copies`. A busy group gets its throughput, a moderate one leaves
// 1:1 traffic the shortest passes. While shedding (below), slices stay at
// `slice_copies`: the members catch up by `sync` anyway.
//
// When more than `max_queued_copies` copies wait (the broker is not keeping
// up), the lane sheds until the queue is down to half of that: a `typing` is
// dropped, and a message's copies are not queued; each of their topics
// instead keeps the highest seq it missed per conversation, and once the
// shedding is over gets one `head` event (`{"type":"head","conv":…,"seq":…}`)
// from which the device's client fills the gap by `sync`. So a saturated
// broker costs a large group's members their live copies, never a message.
//
// Pure bookkeeping with a lock: any thread may Offer, one sender thread takes
// NextSlice and publishes it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "chatd/fanout_batch.h"

namespace chat {

struct PacedLaneOptions {
  std::size_t slice_copies = 10;            // copies per control payload, at least
  std::size_t max_queued_copies = 20000;    // beyond this, shed until half
  std::size_t max_pending_heads = 1000000;  // topics owed a `head`; beyond, the next connect's sync
  std::size_t max_slice_copies = 40;        // the most a slice grows to
  std::chrono::milliseconds grow_after{100};
  std::chrono::milliseconds shrink_after{1000};
  // The clock the adaptation reads; tests substitute their own.
  std::function<std::chrono::steady_clock::time_point()> now = std::chrono::steady_clock::now;
};

struct PacedLaneStats {
  uint64_t copies_queued = 0;   // message copies and typing copies taken in
  uint64_t copies_shed = 0;     // message copies replaced by a `head` (per topic, not deduplicated)
  uint64_t typing_dropped = 0;  // typing copies dropped
  uint64_t heads_sent = 0;      // `head` events handed out
  uint64_t heads_lost = 0;      // topics not remembered: max_pending_heads was full
  std::size_t largest_slice = 0;  // the most copies a slice was allowed so far
};

class PacedLane {
 public:
  explicit PacedLane(PacedLaneOptions options = {});

  // Takes a batch's paced items, in order; sheds as described above.
  void Offer(std::vector<PacedItem> items);
  // The next control payload to publish: pending `head` events first unless
  // shedding, then queued copies. Waits up to `wait` for one.
  std::optional<std::string> NextSlice(std::chrono::milliseconds wait);
  // Wakes a NextSlice waiting for work.
  void Interrupt();

  std::size_t queued_copies() const;
  bool shedding() const;
  std::size_t slice_copies() const;  // what a slice holds now
  PacedLaneStats stats() const;

 private:
  struct Head {
    std::string conv;
    int64_t seq = 0;
  };
  void Shed(PacedItem& item);
  // Ends the shedding once at most half of max_queued_copies wait (lock held).
  void EndSheddingIfCaughtUp();
  // Builds the next payload from the queue or the pending heads (lock held).
  std::optional<std::string> TakeSlice();
  // Doubles or halves slice_ (lock held; see the class comment).
  void AdaptSlice();

  const PacedLaneOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<PacedItem> queue_;
  std::size_t queued_copies_ = 0;
  std::size_t slice_;                                  // copies per slice now
  std::chrono::steady_clock::time_point last_empty_;   // the queue was last seen empty
  std::chrono::steady_clock::time_point last_resize_;  // slice_ last changed
  bool shedding_ = false;
  std::map<std::string, Head> pending_heads_;  // by topic
  std::deque<std::string> ready_payloads_;     // encoded, not yet handed out
  bool interrupted_ = false;
  PacedLaneStats stats_;
};

// Where a batch's paced items go: every lane of `lanes` (one per broker
// node), when there are any and `large_group_members` > 0; otherwise they
// stay in the batch and leave with the rest (FanoutBatch::TakePaced).
struct PacedRoute {
  std::vector<PacedLane*> lanes;  // one per broker node; each gets every paced item
  std::size_t large_group_members = 0;

  void Take(FanoutBatch& batch) const {
    if (lanes.empty() || large_group_members == 0) return;
    std::vector<PacedItem> items = batch.TakePaced(large_group_members);
    if (items.empty()) return;
    for (std::size_t i = 0; i + 1 < lanes.size(); ++i) lanes[i]->Offer(items);
    lanes.back()->Offer(std::move(items));
  }
};

}  // namespace chat
