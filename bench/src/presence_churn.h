// The presence scenario: people's devices connect and drop at a steady
// churn while other devices watch them (`presence.watch`, docs/PROTOCOL.md
// "Presence of people"), next to 1:1 traffic. What does a presence change
// cost, and does the churn slow small conversations?
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chat_paths.h"
#include "open_loop.h"

namespace bench {

struct PresenceOptions {
  OpenLoopOptions one_to_one;  // rate, warm-up, measured time, watched processes
  int churners = 200;          // users whose only device comes and goes
  int watchers = 50;           // devices connected throughout, each watching a list
  int watched_per_watcher = 20;
  // Connects per second, all churners together, and as many drops: each
  // churner is online for half of its cycle (churners / connects_per_s
  // seconds) and offline for the other half, which must exceed the grace.
  double connects_per_s = 50;
  int64_t grace_ms = 300;  // chatd's presence_grace_ms in this run
  int rounds = 3;          // of phase A and phase B, in turn
  // Every blip_every-th cycle (0: none) the churner also drops halfway
  // through its time online and returns half a grace later, which watchers
  // must not see. Prime, so that blips visit every churner.
  int blip_every = 7;
};

struct PresenceResult {
  std::string error;  // non-empty: not (fully) measured, and why
  int churners = 0, watchers = 0, watched_per_watcher = 0;
  int64_t grace_ms = 0;
  int blip_every = 0;
  // Rounds of phase A (1:1 only, the watchers connected and watching) and
  // phase B (the same 1:1 load next to the churn), in turn: the p99 of 5 s
  // at 2,000/s is decided by the slowest 50 ms, so one stall of a shared
  // machine would otherwise decide the verdict.
  std::vector<LatencyResult> alone, churned;    // per round
  double p99_alone_ms = 0, p99_churned_ms = 0;  // medians over the rounds
  double p99_ratio = 0;  // median over the rounds of each round's churned / alone

  // The last phase B's measured interval. A change is a churner's connect (online)
  // or a drop whose grace ran out in the interval (offline).
  double online_changes_per_s = 0, offline_changes_per_s = 0;
  double events_expected_per_s = 0;   // the changes times their watchers
  double events_per_s = 0;            // `presence` events that reached watchers
  double event_bytes_per_change = 0;  // their topics and payloads, per change
  // Change -> event at the watcher; for offline, from the drop plus the grace.
  LatencySummary online_delay, offline_delay;
  // CPU per change, microseconds, per watched process: phase B minus phase
  // A (the same 1:1 load; noisy on a shared machine), and phase C, the same
  // churn without 1:1 traffic (its processes' CPU over the whole churn,
  // divided by every change it made).
  CpuShares us_per_change_beside, us_per_change_alone;
  double churn_alone_changes_per_s = 0;  // phase C, over the whole churn

  // Every phase B's churn, each after a drain: every change must reach each
  // watcher once.
  uint64_t connects = 0, clean_drops = 0, unclean_drops = 0;
  uint64_t not_ready_at_drop = 0;  // a churner still connecting when its drop was due
  uint64_t blips = 0;              // drops with a return within the grace: no change
  uint64_t events_expected = 0, events = 0;
  uint64_t unexpected_events = 0;      // about a user the device does not watch
  uint64_t repeated_states = 0;        // one watched user's state twice in a row: a change lost
  uint64_t watch_unknown = 0;          // watched users the watch reply called `unknown`
  int64_t last_seen_max_error_ms = 0;  // |last_seen - our drop|, largest offline event
  uint64_t errors = 0;
  std::string first_error;
};

// Churners pc{i} and watchers pw{j} (device d1 each): watcher j watches
// churners (j * stride + k) mod churners, k < watched_per_watcher, and shares
// a group with them (group.create), so that it may see them. Setup connects
// the watchers and sends their watches; the churners stay offline until Run.
// All of it on `loop`, which must hold only these devices.
class PresenceCrowd : public MqttHandler {
 public:
  PresenceCrowd(EventLoop& loop, ChatDeployment& deployment, int port,
                const PresenceOptions& options);
  ~PresenceCrowd() override;
  // "" when the watchers are watching, else why not.
  std::string Setup(int64_t deadline_ns);
  // Runs the churn of `t` on the calling thread (the loop's), fills in the
  // churn's figures of `result` and returns once every drop's grace is over
  // and its events are in (or a few seconds later).
  void Run(const SharedInterval& t, PresenceResult& result);
  // Handles what arrives for `duration_ns`, churning nothing.
  void Idle(int64_t duration_ns);
  void OnReady(MqttClient& client) override;
  void OnMessage(MqttClient& client, std::string_view topic, std::string_view payload) override;

 private:
  struct Churn;
  // Connects, drops and blips what is due at `now`; returns when the next
  // is due, or INT64_MAX when the churn is over (every churner offline).
  int64_t Step(int64_t now);
  void OnWatcherEvent(std::size_t watcher, std::string_view topic, std::string_view payload);

  EventLoop& loop_;
  PresenceOptions o_;
  ChatDevices churners_, watchers_;
  std::vector<std::vector<int>> watched_;  // per watcher, churner indices
  std::vector<int> watcher_count_;         // per churner
  std::vector<char> watches_;              // [watcher * churners + churner]
  int groups_ = 0, watch_replies_ = 0;
  uint64_t watch_unknown_ = 0, unexpected_ = 0, errors_ = 0;
  std::string setup_error_, first_error_;
  std::unique_ptr<Churn> churn_;  // while Run runs
};

// Runs rounds of phase A (1:1 alone on `loop`) and phase B (the same 1:1
// load next to the churn of `crowd`, on a second thread driving the crowd's
// loop), then phase C (the churn alone, for its cost). Both the path and
// the crowd must be set up. The whole churn's counts are phase B's.
PresenceResult RunPresence(EventLoop& loop, TrafficPath& one_to_one, PresenceCrowd& crowd,
                           const PresenceOptions& options);

// Issue 18's criterion: 1:1 p99 with the churn <= 1.25 x without (the
// median of the rounds' ratios), no phase overloaded.
bool PresenceTargetMet(const PresenceResult& result);
// Every change reached each of its watchers once, nobody else, in order,
// and every watched user was visible to its watcher.
bool PresenceDeliveredExactly(const PresenceResult& result);

}  // namespace bench
