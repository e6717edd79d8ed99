// The push job loop.
#include "push_dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "chat/clock.h"
#include "chat/protocol.h"
#include "payload.h"

namespace chat::push {

namespace {

// How long pushes wait when the fault is ours (credentials, configuration).
constexpr int64_t kHoldMs = 60000;
// At most this many jobs are read per pass.
constexpr int64_t kJobsPerPass = 2000;

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kDelivered: return "delivered";
    case Verdict::kRetry: return "retry";
    case Verdict::kDeleteToken: return "token_deleted";
    case Verdict::kDrop: return "dropped";
    case Verdict::kCredentialFault: return "credential_fault";
  }
  return "unknown";
}

std::string DeviceKey(const PushJob& job) { return job.user + "/" + job.device; }

}  // namespace

PushDispatcher::PushDispatcher(Database& db, Provider* fcm, Provider* apns,
                               const PushdConfig& config)
    : db_(db),
      fcm_(fcm),
      apns_(apns),
      config_(config),
      store_(db),
      content_(db),
      window_(config.alert_window_ms),
      faults_(static_cast<int>(config.config_fault_tokens)) {}

void PushDispatcher::Run(const std::atomic<bool>& stop) {
  while (!stop.load()) RunOnce();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (in_flight_ > 0 && std::chrono::steady_clock::now() < deadline) {
    for (Provider* provider : {fcm_, apns_}) {
      if (provider) provider->Poll(50);
    }
  }
  FlushOutcomes();
  if (in_flight_ > 0) {
    spdlog::warn("{} pushes still in flight at stop: their jobs stay queued", in_flight_);
  }
}

int PushDispatcher::RunOnce() {
  int64_t now_ms = NowMillis();
  if (now_ms >= next_pass_ms_) {
    // Once per poll interval: write what the answers since the last pass
    // decided (one commit), then take the jobs due now.
    FlushOutcomes();
    next_pass_ms_ = now_ms + config_.poll_interval_ms;
    std::vector<PushJob> due = store_.DueJobs(now_ms, kJobsPerPass);
    // The jobs of each device, oldest first, skipping devices with a push in flight.
    std::map<std::string, std::vector<PushJob>> by_device;
    for (PushJob& job : due) {
      std::string key = DeviceKey(job);
      if (!busy_.contains(key)) by_device[key].push_back(std::move(job));
    }
    for (auto& [key, jobs] : by_device) Dispatch(std::move(jobs), now_ms);
  }
  int64_t wait_ms = std::max<int64_t>(1, next_pass_ms_ - NowMillis());
  int providers = (fcm_ ? 1 : 0) + (apns_ ? 1 : 0);
  if (in_flight_ == 0 || providers == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
  } else {
    for (Provider* provider : {fcm_, apns_}) {
      if (provider) provider->Poll(static_cast<int>(std::max<int64_t>(1, wait_ms / providers)));
    }
  }
  LogStatsIfDue(now_ms);
  return in_flight_;
}

void PushDispatcher::Dispatch(std::vector<PushJob> jobs, int64_t now_ms) {
  const PushJob& first = jobs.front();
  std::optional<PushRegistration> registration = store_.RegistrationOf(first.user, first.device);
  if (!registration) {  // unregistered since: nothing to send to
    spdlog::info("push jobs for {}/{} dropped: the device has no push token now", first.user,
                 first.device);
    return Complete(jobs);
  }
  Provider* provider = ProviderFor(registration->platform);
  if (!provider) {
    spdlog::warn("push for {}/{} dropped: no {} provider is configured (see pushd.conf)",
                 first.user, first.device, registration->platform);
    stats_.Record(registration->platform, "dropped", "no_provider", 0);
    return Complete(jobs);
  }
  // Too old to be worth showing.
  std::vector<PushJob> stale;
  std::erase_if(jobs, [&](const PushJob& job) {
    bool old = now_ms - job.created_ms > config_.retry.give_up_after_ms;
    if (old) stale.push_back(job);
    return old;
  });
  if (!stale.empty()) {
    spdlog::warn("{} push jobs for {}/{} gave up: older than give_up_after_s", stale.size(),
                 first.user, first.device);
    stats_.Record(registration->platform, "gave_up", "", 0);
    Complete(stale);
  }
  if (jobs.empty()) return;
  // Clears go first and alone: a read elsewhere should leave the lock screen at once.
  std::vector<PushJob> batch;
  for (const PushJob& job : jobs) {
    if (job.kind == PushKind::kClear) batch.push_back(job);
  }
  if (batch.empty()) {
    batch = std::move(jobs);
    if (int64_t next = window_.NextAllowed(DeviceKey(first), now_ms); next > 0) {
      return Postpone(batch, next, false);  // the trailing push of the window
    }
    window_.Record(DeviceKey(first), now_ms);
  }
  Outgoing out{std::move(batch), *registration, {}};
  out.notification = content_.Build(*registration, out.jobs, now_ms, config_.alert_ttl_s);
  busy_.insert(DeviceKey(first));
  ++in_flight_;
  Notification notification = out.notification;  // `out` moves into the callback
  provider->Submit(notification,
                   [this, out = std::move(out)](const SendResult& result) { Finish(out, result); });
}

void PushDispatcher::Finish(const Outgoing& out, const SendResult& result) {
  --in_flight_;
  busy_.erase(DeviceKey(out.jobs.front()));
  const Notification& n = out.notification;
  const std::string app = out.registration.platform + ":" + out.registration.app +
                          (out.registration.sandbox ? " (sandbox)" : "");
  Verdict verdict = result.verdict;
  // Refusals that every token of one app shares are our configuration's fault.
  if (verdict == Verdict::kDelivered) {
    faults_.Success(app);
  } else if ((verdict == Verdict::kDrop || verdict == Verdict::kDeleteToken) &&
             faults_.Failure(app, result.reason, n.token)) {
    spdlog::error(
        "CONFIG: every recent push of app {} was refused with {} ({} distinct tokens): "
        "check the app id, the APNs environment and the credentials in pushd.conf; "
        "nothing is deleted, the pushes wait",
        app, result.reason, config_.config_fault_tokens);
    verdict = Verdict::kCredentialFault;
  }
  spdlog::info("push {} to {}/{} ({}) {} {}#{} count {} badge {}: {} {} {} in {:.1f} ms", n.id,
               n.user, n.device, app, KindName(n.kind), n.conv, n.seq, n.count, n.badge,
               VerdictName(verdict), result.http_status, result.reason, result.latency_ms);
  stats_.Record(out.registration.platform, std::string(VerdictName(verdict)), result.reason,
                result.latency_ms);
  int64_t now_ms = NowMillis();
  switch (verdict) {
    case Verdict::kDelivered:
    case Verdict::kDrop: return Complete(out.jobs);
    case Verdict::kDeleteToken: {
      Transaction txn(db_);
      if (store_.RemoveStaleToken(out.registration.user, out.registration.device, n.token)) {
        spdlog::warn("push token of {}/{} deleted: the provider says it is no longer valid ({})",
                     n.user, n.device, result.reason);
        for (const PushJob& job : store_.JobsOf(n.user, n.device)) store_.DeleteJob(job.id);
      }
      for (const PushJob& job : out.jobs) store_.DeleteJob(job.id);
      txn.Commit();
      return;
    }
    case Verdict::kRetry: {
      int64_t attempts = 1;
      for (const PushJob& job : out.jobs) attempts = std::max(attempts, job.attempts + 1);
      if (now_ms - out.jobs.front().created_ms > config_.retry.give_up_after_ms) {
        spdlog::warn("push {} gave up after {} attempts", n.id, attempts);
        return Complete(out.jobs);
      }
      int64_t delay = RetryDelayMs(attempts, result.retry_after_s, config_.retry, random_);
      spdlog::info("push {} retries in {} ms (attempt {})", n.id, delay, attempts + 1);
      return Postpone(out.jobs, now_ms + delay, true);
    }
    case Verdict::kCredentialFault:
      spdlog::error("CONFIG: {} refused pushd's credentials ({} {}): pushes wait {} s", app,
                    result.http_status, result.reason, kHoldMs / 1000);
      return Postpone(out.jobs, now_ms + kHoldMs, false);
  }
}

void PushDispatcher::Complete(const std::vector<PushJob>& jobs) {
  for (const PushJob& job : jobs) done_.push_back(job.id);
}

void PushDispatcher::Postpone(const std::vector<PushJob>& jobs, int64_t due_ms, bool attempted) {
  for (const PushJob& job : jobs) {
    postponed_.push_back({job.id, due_ms, job.attempts + (attempted ? 1 : 0)});
  }
}

void PushDispatcher::FlushOutcomes() {
  if (done_.empty() && postponed_.empty()) return;
  Transaction txn(db_);
  for (int64_t id : done_) store_.DeleteJob(id);
  for (const Postponed& p : postponed_) store_.Reschedule(p.id, p.due_ms, p.attempts);
  txn.Commit();
  done_.clear();
  postponed_.clear();
}

Provider* PushDispatcher::ProviderFor(const std::string& platform) const {
  return platform == protocol::push_platform::kApns ? apns_ : fcm_;
}

void PushDispatcher::LogStatsIfDue(int64_t now_ms) {
  if (next_stats_ms_ == 0) next_stats_ms_ = now_ms + config_.stats_interval_s * 1000;
  if (now_ms < next_stats_ms_) return;
  next_stats_ms_ = now_ms + config_.stats_interval_s * 1000;
  spdlog::info("{}", stats_.TakeSummary(store_.QueueDepth()));
}

}  // namespace chat::push
