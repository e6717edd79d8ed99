// pushd's job loop (docs/ARCHITECTURE.md, "The push path"): reads the push
// jobs chatd wrote with the messages, collapses each device's into one push,
// holds alerts to one per device per window (the rest leave as one trailing
// push), hands the pushes to the providers, and acts on their answers:
// delete the jobs once answered for good, retry with backoff, delete a token
// the provider says is dead, hold everything when the fault is ours.
//
// A job is deleted only after the provider answered: a kill -9 loses no
// job; a push that was in flight at that moment, or answered in the pass
// the kill interrupted, is sent again after the restart (with the same
// collapse id, so the phone shows it once).
// Single-threaded: Run owns the database connection and the providers.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "alert_window.h"
#include "chat/database.h"
#include "config_fault.h"
#include "notification.h"
#include "push_content.h"
#include "push_stats.h"
#include "pushd_config.h"
#include "store/push_store.h"

namespace chat::push {

class PushDispatcher {
 public:
  // A provider left null is not configured: its pushes are dropped (logged).
  PushDispatcher(Database& db, Provider* fcm, Provider* apns, const PushdConfig& config);

  // Passes until `stop` is set, then waits (at most 5 s) for the pushes in flight.
  void Run(const std::atomic<bool>& stop);
  // One step: once per poll interval, writes the answers' outcomes and
  // submits what is due; then drives the transfers until the next pass at
  // most. Returns the pushes in flight.
  int RunOnce();

 private:
  struct Outgoing {
    std::vector<PushJob> jobs;
    PushRegistration registration;
    Notification notification;
  };

  void Dispatch(std::vector<PushJob> jobs, int64_t now_ms);
  void Finish(const Outgoing& out, const SendResult& result);
  // The jobs' verdict is final: they go (at the pass's end).
  void Complete(const std::vector<PushJob>& jobs);
  // The jobs wait until `due_ms`; `attempted` counts one more attempt.
  void Postpone(const std::vector<PushJob>& jobs, int64_t due_ms, bool attempted);
  // Writes the pass's deletions and postponements in one transaction: one
  // commit per pass, not one per push, on the database chatd writes to.
  void FlushOutcomes();
  Provider* ProviderFor(const std::string& platform) const;
  void LogStatsIfDue(int64_t now_ms);

  Database& db_;
  Provider* fcm_;
  Provider* apns_;
  PushdConfig config_;
  PushStore store_;
  PushContent content_;
  AlertWindow window_;
  ConfigFaultDetector faults_;
  PushStats stats_;
  std::mt19937_64 random_{std::random_device{}()};
  struct Postponed {
    int64_t id;
    int64_t due_ms;
    int64_t attempts;
  };
  std::vector<int64_t> done_;         // job ids answered for good, not yet deleted
  std::vector<Postponed> postponed_;  // jobs to reschedule, not yet written
  std::set<std::string> busy_;        // "user/device" with a push in flight
  int in_flight_ = 0;
  int64_t next_pass_ms_ = 0;  // when the job table is read next
  int64_t next_stats_ms_ = 0;
};

}  // namespace chat::push
