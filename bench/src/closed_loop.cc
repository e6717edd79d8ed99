// The closed-loop runner.
#include "closed_loop.h"

#include "clock.h"

namespace bench {

namespace {

class ClosedLoopRun : public TrafficSink {
 public:
  ClosedLoopRun(TrafficPath& path, int window) : path_(path), window_(window) {}

  void Start() {
    for (int s = 0; s < path_.senders(); ++s) {
      for (int k = 0; k < window_; ++k) SendOne(s);
    }
  }
  void StopSending() { sending_ = false; }
  bool Drained() const {
    return confirmed_ == sent_ &&
           delivered_ >= sent_ * static_cast<uint64_t>(path_.copies_per_message());
  }

  void OnConfirmed(int sender) override {
    ++confirmed_;
    if (sending_) SendOne(sender);
  }
  void OnDelivered(int, const BodyMarker&) override { ++delivered_; }
  void OnPathError(std::string_view what) override {
    if (errors_++ == 0) first_error_ = std::string(what.substr(0, 300));
  }

  uint64_t sent_ = 0, confirmed_ = 0, delivered_ = 0, errors_ = 0;
  std::string first_error_;

 private:
  void SendOne(int sender) {
    ++sent_;
    path_.Send(sender, BodyMarker{MonotonicNs(), NextSequence()});
  }

  TrafficPath& path_;
  int window_;
  bool sending_ = true;
};

}  // namespace

ThroughputResult RunClosedLoop(EventLoop& loop, TrafficPath& path,
                               const ClosedLoopOptions& options) {
  ThroughputResult result;
  result.path = path.name();
  result.senders = path.senders();
  result.window = options.window;
  ClosedLoopRun run(path, options.window);
  path.set_sink(&run);
  auto never = [] { return false; };
  int64_t start = MonotonicNs();
  run.Start();
  loop.RunUntil(never, start + static_cast<int64_t>(options.warmup_s * kNsPerSecond));
  CpuSampler cpu(options.watch);
  int64_t t0 = MonotonicNs();
  uint64_t confirmed0 = run.confirmed_, delivered0 = run.delivered_;
  loop.RunUntil(never, t0 + static_cast<int64_t>(options.duration_s * kNsPerSecond));
  int64_t t1 = MonotonicNs();
  uint64_t confirmed1 = run.confirmed_, delivered1 = run.delivered_;
  result.cpu_percent = cpu.Finish();
  run.StopSending();
  loop.RunWhileProgressing([&] { return run.Drained(); },
                           [&] { return run.delivered_ + run.confirmed_; },
                           static_cast<int64_t>(options.drain_stall_s * kNsPerSecond),
                           t1 + static_cast<int64_t>(options.drain_max_s * kNsPerSecond));
  path.set_sink(nullptr);

  result.seconds = SecondsBetween(t0, t1);
  result.confirmed_per_s = static_cast<double>(confirmed1 - confirmed0) / result.seconds;
  result.delivered_per_s = static_cast<double>(delivered1 - delivered0) / result.seconds;
  result.sent = run.sent_;
  uint64_t expected = run.sent_ * static_cast<uint64_t>(path.copies_per_message());
  result.missing = expected > run.delivered_ ? expected - run.delivered_ : 0;
  result.path_errors = run.errors_;
  result.first_error = run.first_error_;
  if (confirmed1 == confirmed0) result.error = "nothing was confirmed during the run";
  if (loop.lost() > 0) result.error = std::to_string(loop.lost()) + " connections were lost";
  return result;
}

}  // namespace bench
