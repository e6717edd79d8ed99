// Open-loop latency: senders publish on a fixed schedule whatever happens to
// earlier messages, and each delivery's latency is measured from the time it
// was *scheduled* (so a stalled generator or path cannot hide its delay,
// i.e. no coordinated omission).
#pragma once

#include <cstdint>
#include <string>

#include "cpu_sampler.h"
#include "event_loop.h"
#include "latency_recorder.h"
#include "traffic_path.h"

namespace bench {

struct OpenLoopOptions {
  double rate_per_s = 1000;  // offered load, all senders together, round robin
  double warmup_s = 1;
  double duration_s = 5;  // messages scheduled in this interval are measured
  double drain_s = 5;
  // Unconfirmed messages beyond which the level is declared overloaded and
  // sending stops (keeps every queue bounded).
  uint64_t max_outstanding = 20000;
  ProcessList watch;  // CPU use over the measured interval is reported
};

struct LatencyResult {
  std::string path;
  double offered_per_s = 0;
  double delivered_per_s = 0;  // deliveries that arrived within the measured interval
  LatencySummary latency;      // send-to-deliver of messages scheduled in the interval
  uint64_t measured_sent = 0;
  uint64_t measured_missing = 0;  // never delivered by the end of the drain
  bool overloaded = false;
  uint64_t path_errors = 0;
  CpuShares cpu_percent;  // watched processes and "others", measured interval
};

LatencyResult RunOpenLoop(EventLoop& loop, TrafficPath& path, const OpenLoopOptions& options);

}  // namespace bench
