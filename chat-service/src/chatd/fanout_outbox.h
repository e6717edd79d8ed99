// The fan-out outbox: the control payloads the writer has committed and the
// fan-out connection has not yet published.
//
// The broker reads one packet per connection per pass of its loop. Published
// one by one, at most Paho's window (1,000) of a small batch's payloads
// waited in the socket, and once the broker's passes grew longer (a large
// group's fan-out beside the 1:1 traffic), a 1:1 copy queued behind hundreds
// of others, one per pass. So the fan-out thread keeps only a few publishes
// unacknowledged (BrokerLink::DrainFanout) and, each time one may go, takes
// everything that has waited meanwhile as one payload: control payloads are
// items back to back (chat/fanout_frames.h), so concatenation is merging.
// Idle, a payload leaves at once; busy, each broker pass carries all that
// is ready. Order is kept.
//
// What waits is bounded (`max_waiting_bytes`): a broker node that is gone
// (killed, unreachable) takes nothing, and its devices have reconnected
// elsewhere and catch up by `sync`. Beyond the bound the oldest payloads are
// dropped and counted.
//
// Pure bookkeeping with a lock: any thread may Push, one thread takes Next.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace chat {

struct FanoutOutboxStats {
  uint64_t payloads = 0;          // control payloads pushed
  uint64_t publishes = 0;         // payloads handed out by Next, merged
  std::size_t largest_merge = 0;  // the most payloads one publish carried
  uint64_t dropped = 0;           // payloads dropped unpublished: max_waiting_bytes was full
};

class FanoutOutbox {
 public:
  // `max_bytes`: the most one merged payload holds, unless a single pushed
  // payload is larger (it then leaves alone). `max_waiting_bytes`: the most
  // that waits; 0 means no bound.
  explicit FanoutOutbox(std::size_t max_bytes, std::size_t max_waiting_bytes = 0);

  // Queues `payload`, dropping the oldest waiting ones if it does not fit.
  // Returns whether any were dropped.
  bool Push(std::string payload);
  // Waits up to `wait` for a payload; returns the oldest ones merged, in
  // order, up to max_bytes; nullopt when none came or on Interrupt.
  std::optional<std::string> Next(std::chrono::milliseconds wait);
  // Wakes a Next waiting for work.
  void Interrupt();

  bool empty() const;
  FanoutOutboxStats stats() const;

 private:
  const std::size_t max_bytes_;
  const std::size_t max_waiting_bytes_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::string> payloads_;
  std::size_t waiting_bytes_ = 0;
  bool interrupted_ = false;
  FanoutOutboxStats stats_;
};

}  // namespace chat
