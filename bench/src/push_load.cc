// The push scenario: its path to offline devices and its phases.
#include "push_load.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <thread>
#include <unordered_map>

#include "chat/protocol.h"
#include "clock.h"
#include "machine_info.h"
#include "progress.h"

namespace bench {

namespace {

constexpr char kApp[] = "com.example.chat";
constexpr std::size_t kCreatesInFlight = 256;  // well below the broker's max_queued_messages
constexpr int64_t kLogPollNs = 50 * kNsPerMs;

std::vector<std::string> Senders(int count) {
  std::vector<std::string> users;
  for (int i = 0; i < count; ++i) users.push_back("ps" + std::to_string(i));
  return users;
}

// An APNs device token: 64 hex digits, distinct per recipient.
std::string ApnsToken(int recipient) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", recipient);
  return std::string(56, 'b') + hex;
}

// Provisions the recipients' devices and registers their push tokens.
void ProvisionRecipients(ChatDeployment& deployment, int recipients) {
  std::vector<Device> devices;
  std::vector<chat::PushRegistration> tokens;
  for (int j = 0; j < recipients; ++j) {
    std::string user = "po" + std::to_string(j);
    devices.push_back({user, "d1", ""});
    bool apns = j % 2 == 0;
    tokens.push_back({user, "d1",
                      std::string(apns ? chat::protocol::push_platform::kApns
                                       : chat::protocol::push_platform::kFcm),
                      kApp, false, apns ? ApnsToken(j) : "fcm-" + user});
  }
  deployment.Provision(devices);
  deployment.RegisterPushTokens(tokens);
}

std::string CommitKey(std::string_view conv, int64_t seq) {
  return std::string(conv) + "/" + std::to_string(seq);
}

// Matches the phase's commits with the push requests the fakes log, until
// every commit has its push or `deadline_ns`.
PushPhase CollectPushes(const std::vector<PushCommit>& commits, FakePushProviders& providers,
                        int64_t deadline_ns) {
  PushPhase phase;
  phase.messages = commits.size();
  std::unordered_map<std::string, int64_t> commit_ms;  // by CommitKey; erased once pushed
  int64_t first_commit_ms = INT64_MAX;
  for (const PushCommit& c : commits) {
    commit_ms.emplace(CommitKey(c.conv, c.seq), c.ts_ms);
    first_commit_ms = std::min(first_commit_ms, c.ts_ms);
  }
  LatencyRecorder latencies;
  latencies.Reserve(commits.size());
  int64_t first_ms = INT64_MAX, last_ms = 0;
  while (true) {
    for (const ProviderRequest& r : providers.TakeNewRequests()) {
      if (r.conv.empty()) continue;  // not a push (pushd's OAuth token)
      auto it = commit_ms.find(CommitKey(r.conv, r.seq));
      if (it == commit_ms.end()) continue;  // an earlier phase's, or a second request
      if (r.status != 200) {
        ++phase.refused;
        continue;
      }
      ++phase.pushes;
      latencies.Add((r.t_ms - it->second) * kNsPerMs);
      first_ms = std::min(first_ms, r.t_ms);
      last_ms = std::max(last_ms, r.t_ms);
      commit_ms.erase(it);
    }
    if (commit_ms.empty() || MonotonicNs() > deadline_ns) break;
    std::this_thread::sleep_for(std::chrono::nanoseconds(kLogPollNs));
  }
  phase.missing = commit_ms.size();
  phase.commit_to_request = latencies.Summarize();
  if (phase.pushes > 1 && last_ms > first_ms) {
    phase.span_s = static_cast<double>(last_ms - first_ms) / 1000;
    phase.pushes_per_s = static_cast<double>(phase.pushes - 1) / phase.span_s;
  }
  if (phase.pushes > 0) {
    phase.commit_to_last_push_s = static_cast<double>(last_ms - first_commit_ms) / 1000;
  }
  return phase;
}

// Sends the push load of `o` on `push_loop` (open loop) and collects its
// pushes; the CPU is sampled from the first send to the last push.
PushPhase SteadyPushes(EventLoop& push_loop, ChatPushPath& pushes, FakePushProviders& providers,
                       const OpenLoopOptions& o, double wait_s) {
  CpuSampler cpu(o.watch);
  cpu.Start();
  LatencyResult sent = RunOpenLoop(push_loop, pushes, o);
  PushPhase phase = CollectPushes(pushes.TakeCommits(), providers,
                                  MonotonicNs() + static_cast<int64_t>(wait_s * kNsPerSecond));
  phase.cpu_percent = cpu.Finish();
  phase.offered_per_s = o.rate_per_s;
  phase.missing += sent.measured_missing;  // never accepted: no push either
  return phase;
}

double MedianRatio(const std::vector<ThroughputResult>& a, const std::vector<ThroughputResult>& b,
                   bool b_delivered) {
  std::vector<double> ratios;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    double base = b_delivered ? b[i].delivered_per_s : b[i].confirmed_per_s;
    if (base > 0) ratios.push_back(a[i].confirmed_per_s / base);
  }
  return Median(ratios);
}

std::string Describe(const PushPhase& p) {
  char line[200];
  std::snprintf(line, sizeof line,
                "%llu messages, %llu pushes (%.0f/s), commit->request p50 %.0f p99 %.0f ms, "
                "%llu missing",
                static_cast<unsigned long long>(p.messages),
                static_cast<unsigned long long>(p.pushes), p.pushes_per_s,
                p.commit_to_request.p50_ms, p.commit_to_request.p99_ms,
                static_cast<unsigned long long>(p.missing));
  return line;
}

}  // namespace

ChatPushPath::ChatPushPath(EventLoop& loop, ChatDeployment& deployment, PathConfig config,
                           int senders, int recipients)
    : loop_(loop),
      config_(config),
      devices_(loop, deployment, config.port, *this, Senders(senders)),
      convs_(static_cast<std::size_t>(recipients)),
      next_(static_cast<std::size_t>(senders)) {
  ProvisionRecipients(deployment, recipients);
  for (std::size_t s = 0; s < next_.size(); ++s) next_[s] = s;
}

std::string ChatPushPath::Setup(int64_t deadline_ns) {
  if (auto why = devices_.Connect(deadline_ns); !why.empty()) return why;
  SendCreates();
  if (!loop_.RunUntil([this] { return creates_answered_ == convs_.size(); }, deadline_ns)) {
    return "chatd answered " + std::to_string(creates_answered_) + " of " +
           std::to_string(convs_.size()) + " conv.create in time";
  }
  for (const auto& c : convs_) {
    if (c.empty()) return "chatd refused a conv.create with an offline user";
  }
  return "";
}

void ChatPushPath::SendCreates() {
  while (creates_sent_ < convs_.size() && creates_sent_ - creates_answered_ < kCreatesInFlight) {
    std::size_t j = creates_sent_++;
    devices_.Command(j % devices_.size(), R"({"type":"conv.create","req_id":"c)" +
                                              std::to_string(j) + R"(","with":"po)" +
                                              std::to_string(j) + "\"}");
  }
}

void ChatPushPath::Send(int sender, const BodyMarker& marker) {
  auto s = static_cast<std::size_t>(sender);
  std::size_t j = next_[s];
  next_[s] = j + devices_.size() < convs_.size() ? j + devices_.size() : s;
  uint64_t cmid = next_cmid_++;
  pending_.emplace(cmid, Pending{j, marker});
  devices_.Command(s, SendCommand(convs_[j], cmid, marker, config_.message_bytes));
}

void ChatPushPath::OnMessage(MqttClient& client, std::string_view, std::string_view payload) {
  int tag = client.tag();
  std::string type = JsonStringField(payload, "type");
  if (type == "accepted") {
    std::string cmid = JsonStringField(payload, "cmid");  // "m" and the number
    uint64_t n = 0;
    if (cmid.size() > 1) std::from_chars(cmid.data() + 1, cmid.data() + cmid.size(), n);
    auto it = pending_.find(n);
    if (it == pending_.end()) return sink_->OnPathError("`accepted` for an unknown cmid");
    Pending sent = it->second;
    pending_.erase(it);
    commits_.push_back(
        {convs_[sent.recipient], JsonIntField(payload, "seq"), JsonIntField(payload, "ts")});
    sink_->OnConfirmed(tag);
    sink_->OnDelivered(tag, sent.marker);
  } else if (type == "conv") {
    std::string req = JsonStringField(payload, "req_id");
    std::size_t j = 0;
    if (req.size() > 1) std::from_chars(req.data() + 1, req.data() + req.size(), j);
    if (j < convs_.size() && convs_[j].empty()) {
      convs_[j] = JsonStringField(payload, "conv");
      ++creates_answered_;
      SendCreates();
    }
  } else if (type == "error") {
    if (creates_answered_ < convs_.size()) ++creates_answered_;  // Setup reports the gap
    sink_->OnPathError(payload);
  }
}

std::vector<PushCommit> ChatPushPath::TakeCommits() { return std::exchange(commits_, {}); }

PushResult RunPush(EventLoop& loop, TrafficPath& raw, TrafficPath& one_to_one, EventLoop& push_loop,
                   ChatPushPath& pushes, FakePushProviders& providers, const PushOptions& o) {
  PushResult result;
  result.recipients = pushes.recipients();
  result.senders = pushes.senders();
  const int64_t wait_ns = static_cast<int64_t>(o.push_wait_s * kNsPerSecond);

  // The burst: each recipient once, so that pushd can collapse nothing.
  OpenLoopOptions burst;
  burst.rate_per_s = o.burst_per_s;
  burst.warmup_s = 0;
  burst.duration_s = result.recipients / o.burst_per_s;
  burst.max_outstanding = static_cast<uint64_t>(result.recipients) + 1;
  burst.watch = o.watch;
  result.burst = SteadyPushes(push_loop, pushes, providers, burst, o.push_wait_s);
  Say("push", "burst: " + Describe(result.burst));

  OpenLoopOptions steady;
  steady.rate_per_s = o.rate_per_s;
  steady.warmup_s = o.closed.warmup_s;
  steady.duration_s = o.closed.duration_s;
  steady.watch = o.watch;
  for (int round = 1; round <= std::max(1, o.rounds); ++round) {
    result.raw.push_back(RunClosedLoop(loop, raw, o.closed));
    result.one_to_one_alone.push_back(RunClosedLoop(loop, one_to_one, o.closed));
    // Phase B: the push load on a second thread over the closed loop's time.
    OpenLoopOptions side = steady;
    side.start_ns = MonotonicNs() + 5 * kNsPerMs;
    std::string side_failure;
    {
      std::jthread driver([&] {
        try {
          RunOpenLoop(push_loop, pushes, side);
        } catch (const std::exception& e) {
          side_failure = e.what();
        }
      });
      result.one_to_one_beside.push_back(RunClosedLoop(loop, one_to_one, o.closed));
    }
    if (!side_failure.empty()) result.error = "the push load failed: " + side_failure;
    PushPhase b = CollectPushes(pushes.TakeCommits(), providers, MonotonicNs() + wait_ns);
    b.offered_per_s = o.rate_per_s;
    b.cpu_percent = result.one_to_one_beside.back().cpu_percent;
    result.beside.push_back(b);
    char line[200];
    std::snprintf(line, sizeof line, "round %d: raw %.0f/s, 1:1 alone %.0f/s, beside %.0f/s; ",
                  round, result.raw.back().delivered_per_s,
                  result.one_to_one_alone.back().confirmed_per_s,
                  result.one_to_one_beside.back().confirmed_per_s);
    Say("push", line + Describe(b));
  }
  result.alone_to_raw = MedianRatio(result.one_to_one_alone, result.raw, true);
  result.beside_to_raw = MedianRatio(result.one_to_one_beside, result.raw, true);
  result.beside_to_alone = MedianRatio(result.one_to_one_beside, result.one_to_one_alone, false);

  result.alone = SteadyPushes(push_loop, pushes, providers, steady, o.push_wait_s);
  Say("push", "steady load alone: " + Describe(result.alone));
  for (const auto* runs : {&result.one_to_one_alone, &result.one_to_one_beside}) {
    for (const ThroughputResult& r : *runs) {
      if (!r.error.empty() && result.error.empty()) result.error = "1:1: " + r.error;
    }
  }
  return result;
}

bool PushTargetMet(const PushResult& r) {
  return r.error.empty() && !r.one_to_one_alone.empty() && r.beside_to_alone >= 0.90;
}

}  // namespace bench
