// The isolation scenario: does a busy large group (its fan-out and its read
// receipts) hold up small conversations? The same open-loop 1:1 load runs
// twice, alone and next to a group that receives a steady stream while some
// of its members send `read` receipts, and the two latencies are compared.
#pragma once

#include <cstdint>
#include <string>

#include "chat_paths.h"
#include "open_loop.h"

namespace bench {

struct IsolationOptions {
  OpenLoopOptions one_to_one;    // rate, warm-up, measured time, watched processes
  double group_msgs_per_s = 50;  // sent by member 0, each delivered to every other member
  // Members 1..readers each send one `read` (up to the last message they
  // received) per second, staggered: readers receipts/s in all, each of
  // which chatd sends as a `receipt` event to the reader and to member 0,
  // the sender of what it covers.
  int readers = 50;
};

struct IsolationResult {
  std::string error;  // non-empty: not (fully) measured, and why
  int group_members = 0;
  LatencyResult alone;  // phase A: 1:1 only
  LatencyResult busy;   // phase B: the same 1:1 load next to the busy group
  // Phase B's group, over the 1:1 run's measured interval.
  double group_offered_per_s = 0;     // messages/s scheduled
  double group_deliveries_per_s = 0;  // `msg` copies that reached members
  LatencySummary group_latency;       // send-to-deliver of every copy, from the scheduled time
  uint64_t group_missing = 0;         // copies of measured messages never delivered
  bool group_overloaded = false;      // over 2 s of group messages undelivered: it stopped
  double receipts_sent_per_s = 0;
  double receipts_applied_per_s = 0;  // cursor moves chatd applied (receipt events of member 0)
  double receipt_events_per_s = 0;    // `receipt` events delivered to all members together
  uint64_t errors = 0;                // error events of the group (the 1:1 path's: in busy)
  std::string first_error;
};

// Runs phase A, then phase B: the 1:1 path on `loop` on the calling thread,
// the group on `group_loop` (which must hold only the group's clients) on a
// second thread, over the same measured interval. Both paths must be set up.
IsolationResult RunIsolation(EventLoop& loop, TrafficPath& one_to_one, EventLoop& group_loop,
                             ChatGroupPath& group, const IsolationOptions& options);

// The target: with the busy group, 1:1 p99 <= 10 ms and <= 2x the p99 alone.
bool IsolationTargetMet(const IsolationResult& result);

}  // namespace bench
