// The isolation scenario's three phases and the busy group of phases B and C.
#include "isolation.h"

#include <algorithm>

#include "clock.h"

namespace bench {

namespace {

// The group's drain: while copies, hints or sync pages still arrive, until
// none has for kDrainStallS, kDrainMaxS at most.
constexpr double kDrainStallS = 5;
constexpr double kDrainMaxS = 60;
// How far behind its members the group may fall before it stops sending: B
// must keep up, so 2 s of messages; C floods on purpose, its members catch
// up by `sync` once it ends, and only a generator whose queues would grow
// without end (30 s of messages) stops it.
constexpr double kBusyBehindS = 2;
constexpr double kFloodBehindS = 30;

// Phase B's or C's group traffic, on its own thread and EventLoop: the group's
// members are other people's devices, which must not queue behind the 1:1
// recipients in the generator. Member 0 sends on a fixed schedule from
// `start` (latency counts from the scheduled time, as in the open-loop
// runner), readers mark read on theirs, both until `to`; more than
// `behind_s` of group messages not yet held by every member (live or by
// sync) stops the group's sending, so queues stay bounded. It is made and
// runs on the group's thread.
class BusyGroup : public TrafficSink {
 public:
  BusyGroup(ChatGroupPath& group, double msgs_per_s, double behind_s, const IsolationOptions& o,
            int64_t start_ns, int64_t from_ns, int64_t to_ns)
      : group_(group),
        start_ns_(start_ns),
        from_ns_(from_ns),
        to_ns_(to_ns),
        msg_period_ns_(msgs_per_s > 0 ? kNsPerSecond / msgs_per_s : 0),
        readers_(std::clamp(o.readers, 0, std::max(0, group.members() - 1))),
        read_period_ns_(readers_ > 0 ? static_cast<double>(kNsPerSecond) / readers_ : 0),
        max_outstanding_(static_cast<uint64_t>(std::max(16.0, behind_s * msgs_per_s))),
        sending_(msgs_per_s > 0),
        copies_at_start_(group.copies()) {
    tally_.SetInterval(from_ns, to_ns);
    tally_.Reserve(static_cast<std::size_t>(msgs_per_s * o.one_to_one.duration_s) *
                       static_cast<std::size_t>(group.copies_per_message()) +
                   16);
  }

  // Sends until `to`, then waits for the measured copies while they (or
  // hints and sync pages) still arrive.
  void Run(EventLoop& loop) {
    bool measuring = false;
    for (int64_t now = MonotonicNs(); now < to_ns_; now = MonotonicNs()) {
      if (!measuring && now >= from_ns_) {
        measuring = true;
        receipt_events_ = group_.receipt_events();
        applied_ = group_.receipts_applied();
      }
      int64_t next = std::min(Tick(now), to_ns_);
      loop.RunOnce(std::max<int64_t>(0, next - MonotonicNs()));
    }
    receipt_events_ = group_.receipt_events() - receipt_events_;
    applied_ = group_.receipts_applied() - applied_;
    auto progress = [this] {
      const GroupCopies& c = group_.copies();
      return c.live + c.by_sync + c.hints + c.pages;
    };
    loop.RunWhileProgressing([this] { return tally_.Missing(group_.copies_per_message()) == 0; },
                             progress, static_cast<int64_t>(kDrainStallS * kNsPerSecond),
                             MonotonicNs() + static_cast<int64_t>(kDrainMaxS * kNsPerSecond));
  }

  void OnConfirmed(int) override { ++confirmed_; }
  void OnDelivered(int, const BodyMarker& marker) override { tally_.CountDelivered(marker); }
  void OnPathError(std::string_view what) override {
    if (errors_++ == 0) first_error_ = std::string(what.substr(0, 300));
  }

  void Report(GroupPhase& r) {
    double window_s = SecondsBetween(from_ns_, to_ns_);
    auto per_s = [&](uint64_t n) { return static_cast<double>(n) / window_s; };
    r.deliveries_per_s = per_s(tally_.delivered_in_interval());
    r.latency = tally_.Summarize();
    r.missing = tally_.Missing(group_.copies_per_message());
    r.overloaded = overloaded_;
    r.copies = group_.copies() - copies_at_start_;
    r.receipts_sent_per_s = per_s(measured_reads_);
    r.receipts_applied_per_s = per_s(applied_);
    r.receipt_events_per_s = per_s(receipt_events_);
    r.errors = errors_;
    r.first_error = first_error_;
  }

 private:
  int64_t Due(uint64_t i, double period_ns) const {
    return start_ns_ + static_cast<int64_t>(static_cast<double>(i) * period_ns);
  }

  // Sends what is due at `now`; returns when the next send is due.
  int64_t Tick(int64_t now) {
    while (sending_ && Due(sent_, msg_period_ns_) <= now) {
      if (sent_ - confirmed_ >= max_outstanding_) {
        overloaded_ = true;
        sending_ = false;
        break;
      }
      int64_t at = Due(sent_, msg_period_ns_);
      group_.Send(0, BodyMarker{at, NextSequence()});
      ++sent_;
      tally_.CountSent(at);
    }
    while (readers_ > 0 && Due(reads_, read_period_ns_) <= now) {
      auto member = static_cast<std::size_t>(1 + reads_ % static_cast<uint64_t>(readers_));
      bool measured = tally_.Measured(Due(reads_, read_period_ns_));
      ++reads_;
      if (group_.MarkRead(member) && measured) ++measured_reads_;
    }
    int64_t next = sending_ ? Due(sent_, msg_period_ns_) : kNeverNs;
    return readers_ > 0 ? std::min(next, Due(reads_, read_period_ns_)) : next;
  }

  ChatGroupPath& group_;
  const int64_t start_ns_, from_ns_, to_ns_;
  const double msg_period_ns_;
  const int readers_;
  const double read_period_ns_;
  const uint64_t max_outstanding_;
  bool sending_;
  bool overloaded_ = false;
  uint64_t sent_ = 0, confirmed_ = 0, reads_ = 0, measured_reads_ = 0, errors_ = 0;
  uint64_t receipt_events_ = 0, applied_ = 0;  // at `from`, then the differences
  const GroupCopies copies_at_start_;
  std::string first_error_;
  DeliveryTally tally_;
};

// One phase of the group beside the 1:1 load, at `msgs_per_s`.
GroupPhase RunGroupPhase(EventLoop& loop, TrafficPath& one_to_one, EventLoop& group_loop,
                         ChatGroupPath& group, double msgs_per_s, double behind_s,
                         const IsolationOptions& options, std::string& side_failure) {
  GroupPhase phase;
  phase.offered_per_s = msgs_per_s;
  phase.one_to_one = RunBeside(
      loop, one_to_one, options.one_to_one, 0,
      [&](const SharedInterval& t) {
        BusyGroup busy(group, msgs_per_s, behind_s, options, t.start_ns, t.from_ns, t.to_ns);
        SinkScope sink(group, busy);
        busy.Run(group_loop);
        busy.Report(phase);
      },
      side_failure);
  return phase;
}

}  // namespace

IsolationResult RunIsolation(EventLoop& loop, TrafficPath& one_to_one, EventLoop& group_loop,
                             ChatGroupPath& group, const IsolationOptions& options) {
  IsolationResult result;
  result.group_members = group.members();
  result.alone = RunOpenLoop(loop, one_to_one, options.one_to_one);
  // B and C: both schedules start together and share the measured interval.
  std::string failure;
  result.busy =
      RunGroupPhase(loop, one_to_one, group_loop, group, options.busy_msgs_per_s, kBusyBehindS,
                    options, failure);
  if (failure.empty()) {
    result.flood = RunGroupPhase(loop, one_to_one, group_loop, group, options.flood_msgs_per_s,
                                 kFloodBehindS, options, failure);
  }
  if (!failure.empty()) result.error = "the group's thread failed: " + failure;
  return result;
}

bool IsolationTargetMet(const IsolationResult& r) {
  const GroupPhase& b = r.busy;
  if (!r.error.empty() || r.alone.overloaded || b.one_to_one.overloaded || b.overloaded ||
      b.missing > 0) {
    return false;
  }
  double p99 = b.one_to_one.latency.p99_ms;
  return b.one_to_one.latency.count > 0 && p99 <= 10 && p99 <= 2 * r.alone.latency.p99_ms;
}

bool FloodTargetMet(const IsolationResult& r) {
  const GroupPhase& c = r.flood;
  if (!r.error.empty() || c.one_to_one.overloaded || c.overloaded || c.missing > 0) return false;
  return c.one_to_one.latency.count > 0 && c.one_to_one.latency.p99_ms < 50;
}

}  // namespace bench
