// The open-loop runner.
#include "open_loop.h"

#include <algorithm>
#include <thread>

#include "clock.h"

namespace bench {

void DeliveryTally::CountDelivered(const BodyMarker& marker) {
  int64_t now = MonotonicNs();
  ++delivered_;
  if (now >= from_ && now < to_) ++delivered_in_interval_;
  if (!Measured(marker.sent_ns)) return;
  ++measured_delivered_;
  latencies_.Add(now - marker.sent_ns);
}

uint64_t DeliveryTally::Missing(int copies) const {
  uint64_t expected = measured_sent_ * static_cast<uint64_t>(copies);
  return expected > measured_delivered_ ? expected - measured_delivered_ : 0;
}

namespace {

class OpenLoopRun : public TrafficSink {
 public:
  void OnConfirmed(int) override { ++confirmed_; }
  void OnDelivered(int, const BodyMarker& marker) override { tally_.CountDelivered(marker); }
  void OnPathError(std::string_view) override { ++errors_; }

  uint64_t sent_ = 0, confirmed_ = 0, errors_ = 0;
  DeliveryTally tally_;
};

}  // namespace

LatencyResult RunOpenLoop(EventLoop& loop, TrafficPath& path, const OpenLoopOptions& options) {
  LatencyResult result;
  result.path = path.name();
  result.offered_per_s = options.rate_per_s;
  const int64_t start = options.start_ns ? options.start_ns : MonotonicNs() + 10 * kNsPerMs;
  const int64_t from = start + static_cast<int64_t>(options.warmup_s * kNsPerSecond);
  const int64_t to = from + static_cast<int64_t>(options.duration_s * kNsPerSecond);
  const double period_ns = kNsPerSecond / options.rate_per_s;
  OpenLoopRun run;
  run.tally_.SetInterval(from, to);
  run.tally_.Reserve(static_cast<std::size_t>(options.rate_per_s * options.duration_s) *
                         static_cast<std::size_t>(path.copies_per_message()) +
                     16);
  path.set_sink(&run);

  // Each round sends what is due (at most kMaxBurst, so reading never
  // starves), then waits for socket events until the next send is due.
  constexpr int kMaxBurst = 256;
  CpuSampler cpu(options.watch);
  bool cpu_started = false;
  uint64_t k = 0;
  auto senders = static_cast<uint64_t>(path.senders());
  auto scheduled = [&](uint64_t i) {
    return start + static_cast<int64_t>(static_cast<double>(i) * period_ns);
  };
  while (scheduled(k) < to && !result.overloaded) {
    int64_t now = MonotonicNs();
    if (!cpu_started && now >= from) {
      cpu.Start();
      cpu_started = true;
    }
    for (int burst = 0; burst < kMaxBurst && scheduled(k) <= now && scheduled(k) < to; ++burst) {
      if (run.sent_ - run.confirmed_ >= options.max_outstanding) {
        result.overloaded = true;
        break;
      }
      int64_t at = scheduled(k);
      path.Send(static_cast<int>(k % senders), BodyMarker{at, NextSequence()});
      ++run.sent_;
      run.tally_.CountSent(at);
      ++k;
    }
    loop.RunOnce(std::max<int64_t>(0, scheduled(k) - MonotonicNs()));
  }
  result.cpu_percent = cpu.Finish();
  int copies = path.copies_per_message();
  loop.RunWhileProgressing(
      [&] { return run.tally_.Missing(copies) == 0 && run.confirmed_ >= run.sent_; },
      [&] { return run.tally_.delivered() + run.confirmed_; },
      static_cast<int64_t>(options.drain_stall_s * kNsPerSecond),
      MonotonicNs() + static_cast<int64_t>(options.drain_max_s * kNsPerSecond));
  path.set_sink(nullptr);

  result.delivered_per_s =
      static_cast<double>(run.tally_.delivered_in_interval()) / options.duration_s;
  result.latency = run.tally_.Summarize();
  result.measured_sent = run.tally_.measured_sent();
  result.measured_missing = run.tally_.Missing(copies);
  result.path_errors = run.errors_;
  return result;
}

LatencyResult RunBeside(EventLoop& loop, TrafficPath& path, const OpenLoopOptions& options,
                        double side_lead_s, const std::function<void(const SharedInterval&)>& side,
                        std::string& side_failure) {
  SharedInterval t;
  t.side_start_ns = MonotonicNs() + 50 * kNsPerMs;
  t.start_ns = t.side_start_ns + static_cast<int64_t>(side_lead_s * kNsPerSecond);
  t.from_ns = t.start_ns + static_cast<int64_t>(options.warmup_s * kNsPerSecond);
  t.to_ns = t.from_ns + static_cast<int64_t>(options.duration_s * kNsPerSecond);
  OpenLoopOptions beside = options;
  beside.start_ns = t.start_ns;
  std::jthread driver([&] {
    try {
      side(t);
    } catch (const std::exception& e) {
      side_failure = e.what();
    }
  });
  return RunOpenLoop(loop, path, beside);
}

AloneAndBeside RunAloneThenBeside(EventLoop& loop, TrafficPath& path,
                                  const OpenLoopOptions& options, double side_lead_s,
                                  const std::function<void(const SharedInterval&)>& side) {
  AloneAndBeside result;
  result.alone = RunOpenLoop(loop, path, options);
  result.beside = RunBeside(loop, path, options, side_lead_s, side, result.side_failure);
  return result;
}

}  // namespace bench
