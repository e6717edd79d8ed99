// Closed-loop throughput: every sender keeps `window` messages unconfirmed
// and sends the next one as soon as one is confirmed; the rate of
// confirmations (and of deliveries) after a warm-up is the path's maximum.
#pragma once

#include <cstdint>
#include <string>

#include "cpu_sampler.h"
#include "event_loop.h"
#include "traffic_path.h"

namespace bench {

struct ClosedLoopOptions {
  int window = 64;        // unconfirmed messages per sender
  double warmup_s = 2;    // not counted
  double duration_s = 8;  // counted
  // Afterwards, wait for stragglers while they still arrive: until none has
  // for drain_stall_s, drain_max_s at most.
  double drain_stall_s = 5;
  // Processes whose CPU use over the counted interval is reported, by name.
  ProcessList watch;
  double drain_max_s = 60;
};

struct ThroughputResult {
  std::string path;
  std::string error;  // non-empty: the run failed or was not possible
  int senders = 0;
  int window = 0;
  double seconds = 0;  // length of the counted interval
  double confirmed_per_s = 0;
  double delivered_per_s = 0;
  uint64_t sent = 0;         // whole run, warm-up included
  uint64_t missing = 0;      // copies never delivered by the end of the drain
  uint64_t path_errors = 0;  // error events and malformed deliveries
  std::string first_error;
  // Share of one core used by each watched process, and by all others,
  // during the counted interval.
  CpuShares cpu_percent;
};

// Runs on the calling thread; the path must be Setup() already.
ThroughputResult RunClosedLoop(EventLoop& loop, TrafficPath& path,
                               const ClosedLoopOptions& options);

}  // namespace bench
