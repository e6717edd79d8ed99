// Open-loop latency: senders publish on a fixed schedule whatever happens to
// earlier messages, and each delivery's latency is measured from the time it
// was *scheduled* (so a stalled generator or path cannot hide its delay,
// i.e. no coordinated omission).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "cpu_sampler.h"
#include "event_loop.h"
#include "latency_recorder.h"
#include "traffic_path.h"

namespace bench {

// The deliveries of an open-loop stream against its measured interval
// [from, to) of MonotonicNs: the latency of every copy of a message scheduled
// in the interval, and how many copies (of any message) arrived in it.
class DeliveryTally {
 public:
  void SetInterval(int64_t from_ns, int64_t to_ns) {
    from_ = from_ns;
    to_ = to_ns;
  }
  bool Measured(int64_t scheduled_ns) const { return scheduled_ns >= from_ && scheduled_ns < to_; }
  void Reserve(std::size_t copies) { latencies_.Reserve(copies); }
  // A message scheduled at `scheduled_ns` was sent.
  void CountSent(int64_t scheduled_ns) {
    if (Measured(scheduled_ns)) ++measured_sent_;
  }
  // One copy arrived now.
  void CountDelivered(const BodyMarker& marker);

  uint64_t measured_sent() const { return measured_sent_; }
  uint64_t delivered_in_interval() const { return delivered_in_interval_; }
  uint64_t delivered() const { return delivered_; }  // every copy, measured or not
  // Copies of measured messages not delivered (yet), `copies` per message.
  uint64_t Missing(int copies) const;
  // Sorts the samples; call once at the end.
  LatencySummary Summarize() { return latencies_.Summarize(); }

 private:
  int64_t from_ = INT64_MAX, to_ = INT64_MAX;
  uint64_t measured_sent_ = 0, measured_delivered_ = 0, delivered_in_interval_ = 0, delivered_ = 0;
  LatencyRecorder latencies_;
};

struct OpenLoopOptions {
  double rate_per_s = 1000;  // offered load, all senders together, round robin
  double warmup_s = 1;
  double duration_s = 5;  // messages scheduled in this interval are measured
  // Afterwards, wait for the measured copies while they still arrive: until
  // none has for drain_stall_s, drain_max_s at most.
  double drain_stall_s = 5;
  double drain_max_s = 60;
  // Unconfirmed messages beyond which the level is declared overloaded and
  // sending stops (keeps every queue bounded).
  uint64_t max_outstanding = 20000;
  ProcessList watch;  // CPU use over the measured interval is reported
  // MonotonicNs() of the first scheduled send, so that other traffic can
  // share the measured interval; 0: 10 ms after the call.
  int64_t start_ns = 0;
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

// The times, MonotonicNs, of an open-loop run beside another load.
struct SharedInterval {
  int64_t side_start_ns = 0;  // the other load begins (at or before start_ns)
  int64_t start_ns = 0;       // the open loop's first scheduled send
  int64_t from_ns = 0;        // the measured interval, shared by both
  int64_t to_ns = 0;
};

struct AloneAndBeside {
  LatencyResult alone;       // phase A: the open loop alone
  LatencyResult beside;      // phase B: the same schedule next to the other load
  std::string side_failure;  // what the other load's thread threw, if anything
};

// Runs `options` on `loop` while `side` runs on a second thread, starting
// `side_lead_s` before the open loop's first send and sharing its measured
// interval. `side` must touch only clients of its own EventLoop, and return
// once it is done (every wait of it bounded); the run ends when both have.
// What `side` threw, if anything, goes to `side_failure`.
LatencyResult RunBeside(EventLoop& loop, TrafficPath& path, const OpenLoopOptions& options,
                        double side_lead_s, const std::function<void(const SharedInterval&)>& side,
                        std::string& side_failure);

// Runs `options` on `loop` alone (phase A), then again (phase B) while
// `side` runs beside it (RunBeside).
AloneAndBeside RunAloneThenBeside(EventLoop& loop, TrafficPath& path,
                                  const OpenLoopOptions& options, double side_lead_s,
                                  const std::function<void(const SharedInterval&)>& side);

}  // namespace bench
