// The isolation scenario: does a busy large group (its fan-out and its read
// receipts) hold up small conversations, and does a group that alone would
// saturate the broker? The same open-loop 1:1 load runs three times: alone
// (A), next to a group offered a share of what the broker can fan out (B),
// and next to a group offered more than that (C); the latencies are
// compared, and the group's members must end with every message, live or
// by `sync`.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "chat_paths.h"
#include "open_loop.h"

namespace bench {

struct IsolationOptions {
  OpenLoopOptions one_to_one;     // rate, warm-up, measured time, watched processes
  double busy_msgs_per_s = 50;    // phase B: sent by member 0, each to every other member
  double flood_msgs_per_s = 150;  // phase C: the same, beyond the broker's fan-out
  // Members 1..readers each send one `read` (up to the last message they
  // hold) per second, staggered, in B and C: readers receipts/s in all, each
  // of which chatd sends as a `receipt` event to the reader and to member 0,
  // the sender of what it covers.
  int readers = 50;
};

// The group of phase B or C, and the 1:1 load beside it.
struct GroupPhase {
  LatencyResult one_to_one;
  // Over the 1:1 run's measured interval:
  double offered_per_s = 0;     // group messages/s scheduled
  double deliveries_per_s = 0;  // first copies that reached members, live or by sync
  LatencySummary latency;       // send-to-deliver of every first copy, from the scheduled time
  uint64_t missing = 0;         // copies of measured messages no member held after the drain
  // Over 2 s (B) or 30 s (C) of group messages not held by all: it stopped.
  bool overloaded = false;
  double receipts_sent_per_s = 0;
  double receipts_applied_per_s = 0;  // cursor moves chatd applied (receipt events of member 0)
  double receipt_events_per_s = 0;    // `receipt` events delivered to all members together
  // Over the whole phase, its drain included:
  GroupCopies copies;
  uint64_t errors = 0;  // error events of the group (the 1:1 path's: in one_to_one)
  std::string first_error;
};

struct IsolationResult {
  std::string error;  // non-empty: not (fully) measured, and why
  int group_members = 0;
  // Deliveries/s of the closed-loop fan-outs the group rates derive from,
  // and where they were measured: the raw broker's (1 publisher,
  // group_members subscribers at QoS 1), B's reference, and the chat
  // group's own (events at QoS 0; 0 if it failed). C's reference is the
  // larger of the two: the most the broker was seen to fan out.
  double raw_fanout_per_s = 0;
  double chat_fanout_per_s = 0;
  std::string fanout_source;
  double saturation_per_s() const { return std::max(raw_fanout_per_s, chat_fanout_per_s); }
  LatencyResult alone;  // phase A: 1:1 only
  GroupPhase busy;      // phase B
  GroupPhase flood;     // phase C
};

// Runs phases A, B and C: the 1:1 path on `loop` on the calling thread, the
// group on `group_loop` (which must hold only the group's clients) on a
// second thread, over the same measured interval. Both paths must be set
// up. Fills everything but the raw fan-out fields.
IsolationResult RunIsolation(EventLoop& loop, TrafficPath& one_to_one, EventLoop& group_loop,
                             ChatGroupPath& group, const IsolationOptions& options);

// Phase B's target: 1:1 p99 <= 10 ms and <= 2x the p99 alone, no phase
// overloaded, no group copy missing after the drain.
bool IsolationTargetMet(const IsolationResult& result);
// Phase C's: 1:1 p99 < 50 ms, 1:1 not overloaded, and every member ends
// with every message (none missing after the drain; the group did not hit
// its 30 s bound).
bool FloodTargetMet(const IsolationResult& result);

}  // namespace bench
