// The order of the benchmark and the wiring of brokers, chatd and paths.
#include "scenarios.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>

#include "broker_process.h"
#include "chat/support/test_database.h"
#include "chat_deployment.h"
#include "chat_paths.h"
#include "clock.h"
#include "cpu_sampler.h"
#include "progress.h"
#include "raw_paths.h"
#include "relay_path.h"

namespace bench {

namespace {

constexpr int64_t kSetupTimeoutNs = 60 * kNsPerSecond;

// The scratch directory of one run, removed at the end unless kept.
class WorkDir {
 public:
  explicit WorkDir(bool keep) : keep_(keep) {
    char name[] = "/tmp/chat-bench-XXXXXX";
    if (!::mkdtemp(name)) throw std::runtime_error("mkdtemp failed");
    path_ = name;
  }
  ~WorkDir() {
    if (keep_) {
      std::cerr << "[bench] kept " << path_ << "\n";
    } else {
      std::error_code ignored;
      std::filesystem::remove_all(path_, ignored);
    }
  }
  std::string Sub(const std::string& name) const {
    std::filesystem::create_directories(path_ + "/" + name);
    return path_ + "/" + name;
  }

 private:
  bool keep_;
  std::string path_;
};

// Sets a path up on its first use; later uses get the first answer.
const std::string& Prepare(TrafficPath& path) {
  static std::map<const TrafficPath*, std::string> prepared;
  auto it = prepared.find(&path);
  if (it == prepared.end()) {
    it = prepared.emplace(&path, path.Setup(MonotonicNs() + kSetupTimeoutNs)).first;
  }
  return it->second;
}

ThroughputResult ClosedLoopOn(EventLoop& loop, TrafficPath& path, const BenchParams& p, int window,
                              ProcessList watch, double duration_s = 0) {
  const std::string& why = Prepare(path);
  if (!why.empty()) {
    ThroughputResult r;
    r.path = path.name();
    r.error = why;
    Say(path.name() + ": not measured: " + why);
    return r;
  }
  watch.insert(watch.begin(), {"generator", ::getpid()});
  ThroughputResult r = RunClosedLoop(
      loop, path,
      {window, p.warmup_s, duration_s > 0 ? duration_s : p.duration_s, 5, std::move(watch)});
  Say(path.name() + ": " + std::to_string(static_cast<long>(r.confirmed_per_s)) + " confirmed/s, " +
      std::to_string(static_cast<long>(r.delivered_per_s)) + " delivered/s" +
      (r.missing ? ", " + std::to_string(r.missing) + " missing" : "") +
      (r.error.empty() ? "" : ", " + r.error));
  return r;
}

// The options of one open-loop level at `rate`.
OpenLoopOptions LevelOptions(double rate, const BenchParams& p, ProcessList watch) {
  OpenLoopOptions o;
  watch.insert(watch.begin(), {"generator", ::getpid()});
  o.watch = std::move(watch);
  o.rate_per_s = rate;
  o.warmup_s = p.level_warmup_s;
  o.duration_s = p.level_s;
  o.max_outstanding = static_cast<uint64_t>(std::max(2000.0, rate * 2));  // 2 s of backlog
  return o;
}

void SayLevel(const LatencyResult& r, const std::string& label) {
  char line[240];
  std::snprintf(line, sizeof(line), "%s at %.0f/s: p50 %.2f p99 %.2f p999 %.2f ms%s", label.c_str(),
                r.offered_per_s, r.latency.p50_ms, r.latency.p99_ms, r.latency.p999_ms,
                r.overloaded ? " (overloaded)" : "");
  Say(line);
}

LatencyResult OpenLoopOn(EventLoop& loop, TrafficPath& path, double rate, const BenchParams& p,
                         ProcessList watch) {
  LatencyResult r = RunOpenLoop(loop, path, LevelOptions(rate, p, std::move(watch)));
  SayLevel(r, r.path);
  return r;
}

// The round whose figure is the median, per path, and the median ratios.
void SummarizeRounds(BenchResults& out) {
  auto pick = [&](ThroughputResult ThroughputRound::*path) {
    std::vector<const ThroughputResult*> runs;
    for (const auto& r : out.throughput_rounds) runs.push_back(&(r.*path));
    std::sort(runs.begin(), runs.end(),
              [](auto* a, auto* b) { return a->confirmed_per_s < b->confirmed_per_s; });
    return *runs[runs.size() / 2];
  };
  out.raw = pick(&ThroughputRound::raw);
  out.relay = pick(&ThroughputRound::relay);
  out.chat = pick(&ThroughputRound::chat);
  std::vector<double> chat_ratios, relay_ratios;
  for (const auto& r : out.throughput_rounds) {
    if (r.raw.delivered_per_s <= 0) continue;
    chat_ratios.push_back(r.chat.confirmed_per_s / r.raw.delivered_per_s);
    relay_ratios.push_back(r.relay.confirmed_per_s / r.raw.delivered_per_s);
  }
  out.chat_to_raw = Median(chat_ratios);
  out.relay_to_raw = Median(relay_ratios);
  // A leg beside chat 1:1: its median round, and the median of its ratios
  // to chat 1:1 within each round.
  auto beside_chat = [&](std::optional<ThroughputResult> ThroughputRound::*leg,
                         std::optional<ThroughputResult>& median, double& ratio) {
    std::vector<const ThroughputResult*> runs;
    std::vector<double> ratios;
    for (const auto& r : out.throughput_rounds) {
      if (!(r.*leg)) continue;
      runs.push_back(&*(r.*leg));
      if (r.chat.confirmed_per_s > 0) {
        ratios.push_back((r.*leg)->confirmed_per_s / r.chat.confirmed_per_s);
      }
    }
    if (runs.empty()) return;
    std::sort(runs.begin(), runs.end(),
              [](auto* a, auto* b) { return a->confirmed_per_s < b->confirmed_per_s; });
    median = *runs[runs.size() / 2];
    ratio = Median(ratios);
  };
  beside_chat(&ThroughputRound::chat_postgres, out.chat_postgres, out.postgres_to_sqlite);
  beside_chat(&ThroughputRound::chat_nodes, out.chat_nodes, out.nodes_to_one);
}

// Chat 1:1 with chatd's database on PostgreSQL, for the throughput rounds:
// a database of its own on the server, its own broker and chatd.
struct PostgresLeg {
  PostgresLeg(const BenchParams& p, const WorkDir& work, EventLoop& loop)
      : database(p.postgres_url, "chat_bench"),
        dir(work.Sub("chat-postgres")),
        deployment(dir, p.chatd_path, p.plugin_path, "", database.target()),
        broker({dir, "chat-postgres-broker", p.mosquitto_path, deployment.plugin()}),
        cfg{broker.port(), p.message_bytes} {
    deployment.StartChatd(broker.port(), p.presence_grace_ms, p.chatd_options);
    ours = {{"chat broker", broker.pid()}, {"chatd", deployment.chatd_pid()}};
    path =
        std::make_unique<ChatDirectPath>(loop, deployment, cfg, p.pairs, "chat 1:1 on PostgreSQL");
  }
  ~PostgresLeg() {
    path.reset();
    deployment.StopChatd();
  }

  chat::support::TestDatabase database;
  std::string dir;
  ChatDeployment deployment;
  BrokerProcess broker;
  PathConfig cfg;
  ProcessList ours;
  std::unique_ptr<ChatDirectPath> path;
};

// Chat 1:1 with chatd connected to `p.nodes` broker nodes (a cluster, as
// `broker_nodes` makes it; docs/ARCHITECTURE.md "Broker nodes") and every
// device on node 1: chatd publishes every batch to every node, so the
// other nodes' CPU is what that costs a node for traffic it delivers none
// of. Its own database, brokers and chatd.
struct NodesLeg {
  NodesLeg(const BenchParams& p, const WorkDir& work, EventLoop& loop)
      : dir(work.Sub("chat-nodes")), deployment(dir, p.chatd_path, p.plugin_path, "") {
    for (int n = 1; n <= p.nodes; ++n) {
      brokers.push_back(std::make_unique<BrokerProcess>(
          BrokerSettings{dir, "node-" + std::to_string(n), p.mosquitto_path, deployment.plugin()}));
    }
    std::vector<int> more;
    for (std::size_t n = 1; n < brokers.size(); ++n) more.push_back(brokers[n]->port());
    deployment.StartChatd(brokers[0]->port(), p.presence_grace_ms, p.chatd_options, more);
    for (std::size_t n = 0; n < brokers.size(); ++n) {
      ours.emplace_back(NodeName(n), brokers[n]->pid());
    }
    ours.emplace_back("chatd", deployment.chatd_pid());
    cfg = {brokers[0]->port(), p.message_bytes};
    path = std::make_unique<ChatDirectPath>(
        loop, deployment, cfg, p.pairs,
        "chat 1:1, chatd on " + std::to_string(p.nodes) + " nodes, devices on node 1");
  }
  ~NodesLeg() {
    path.reset();
    deployment.StopChatd();
  }
  // The CPU share's name of node `n` (0-based) in the results.
  static std::string NodeName(std::size_t n) { return "node " + std::to_string(n + 1); }

  std::string dir;
  ChatDeployment deployment;
  std::vector<std::unique_ptr<BrokerProcess>> brokers;
  PathConfig cfg;
  ProcessList ours;
  std::unique_ptr<ChatDirectPath> path;
};

// The brokers, chatd and paths of the messaging scenarios, which share one
// event loop and keep their clients connected from one scenario to the next.
class MessagingRun {
 public:
  MessagingRun(const BenchParams& p, const WorkDir& work)
      : p_(p),
        work_(work),
        raw_dir_(work.Sub("raw")),
        chat_dir_(p.chat_dir.empty() ? work.Sub("chat") : p.chat_dir),
        raw_broker_({raw_dir_, "raw", p.mosquitto_path, std::nullopt}),
        raw_cfg_{raw_broker_.port(), p.message_bytes},
        raw_(loop_, raw_cfg_, p.pairs),
        chat_(MakeDir(chat_dir_), p.chatd_path, p.plugin_path, p.pushd_path),
        chat_broker_({chat_dir_, "chat-broker", p.mosquitto_path, chat_.plugin()}),
        chat_cfg_{chat_broker_.port(), p.message_bytes} {
    chat_.StartChatd(chat_broker_.port(), p.presence_grace_ms, p.chatd_options);
    ours_ = {{"raw broker", raw_broker_.pid()},
             {"chat broker", chat_broker_.pid()},
             {"chatd", chat_.chatd_pid()}};
    direct_ = std::make_unique<ChatDirectPath>(loop_, chat_, chat_cfg_, p.pairs);
  }
  ~MessagingRun() { chat_.StopChatd(); }

  // Rounds of raw, relay and chat back to back (and chat on PostgreSQL, with
  // --postgres-url): on a shared machine the ratio within a round compares
  // like with like; the medians are reported.
  void Throughput(BenchResults& out) {
    RelayPath relay(loop_, raw_cfg_, p_.pairs, {p_.bench_path, raw_dir_ + "/relay-node.log"});
    ProcessList with_relay = ours_;
    with_relay.emplace_back("relay", relay.node_pid());
    std::unique_ptr<PostgresLeg> postgres;
    if (!p_.postgres_url.empty()) postgres = std::make_unique<PostgresLeg>(p_, work_, loop_);
    std::unique_ptr<NodesLeg> nodes;
    if (p_.nodes >= 2) nodes = std::make_unique<NodesLeg>(p_, work_, loop_);
    for (int round = 1; round <= std::max(1, p_.throughput_rounds); ++round) {
      Say("throughput round " + std::to_string(round) + ": raw broker, no-op relay, chat 1:1" +
          (postgres ? ", chat 1:1 on PostgreSQL" : "") +
          (nodes ? ", chat 1:1 on " + std::to_string(p_.nodes) + " nodes" : ""));
      ThroughputRound r;
      r.raw = ClosedLoopOn(loop_, raw_, p_, p_.window, ours_);
      r.relay = ClosedLoopOn(loop_, relay, p_, p_.window, with_relay);
      r.chat = ClosedLoopOn(loop_, *direct_, p_, p_.window, ours_);
      if (postgres) {
        r.chat_postgres = ClosedLoopOn(loop_, *postgres->path, p_, p_.window, postgres->ours);
      }
      if (nodes) r.chat_nodes = ClosedLoopOn(loop_, *nodes->path, p_, p_.window, nodes->ours);
      out.throughput_rounds.push_back(std::move(r));
    }
    SummarizeRounds(out);
  }

  // Open-loop levels at fractions of the chat maximum (0.5 always included:
  // the p99 target's level), chat and raw at each.
  void Latency(BenchResults& out) {
    if (!out.chat || !out.chat->error.empty() || !out.raw->error.empty()) {
      out.notes.push_back("latency not measured: the throughput runs failed");
      return;
    }
    Say("latency: open loop at fractions of the chat 1:1 maximum");
    out.half_chat_rate = std::round(out.chat->confirmed_per_s * 0.5);
    std::vector<double> fractions = p_.load_fractions;
    std::sort(fractions.begin(), fractions.end());
    if (std::find(fractions.begin(), fractions.end(), 0.5) == fractions.end()) {
      fractions.insert(std::upper_bound(fractions.begin(), fractions.end(), 0.5), 0.5);
    }
    for (double f : fractions) {
      double rate = std::max(10.0, std::round(out.chat->confirmed_per_s * f));
      out.chat_latency.push_back(OpenLoopOn(loop_, *direct_, rate, p_, ours_));
      out.raw_latency.push_back(OpenLoopOn(loop_, raw_, rate, p_, ours_));
    }
  }

  void Fanout(BenchResults& out) {
    Say("fan-out: raw broker to " + std::to_string(p_.group_size) + " subscribers, chat group");
    MeasureFanouts(p_.duration_s, out.raw_fanout, out.chat_group);
  }

  // The raw broker's fan-out and the chat group's, closed loop, each
  // measured for `duration_s`.
  void MeasureFanouts(double duration_s, std::optional<ThroughputResult>& raw,
                      std::optional<ThroughputResult>& chat) {
    raw = ClosedLoopOn(loop_, RawFanout(), p_, p_.fanout_window, ours_, duration_s);
    chat = ClosedLoopOn(group_loop_, Group(), p_, p_.fanout_window, ours_, duration_s);
  }

  // The same open-loop 1:1 load alone, then next to the group of the fan-out
  // scenario receiving a steady stream and read receipts: half what the raw
  // broker fans out (B), then more than it can (C).
  void Isolation(BenchResults& out) {
    out.isolation = IsolationResult{};
    IsolationResult& r = *out.isolation;
    std::string why = Prepare(*direct_);
    if (why.empty()) why = Prepare(Group());
    if (why.empty()) why = IsolationFanout(out, r);
    if (!why.empty()) {
      r.error = why;
      Say("isolation: not measured: " + why);
      return;
    }
    double per_delivery = std::max(1, p_.group_size - 1);
    IsolationOptions o;
    o.one_to_one = LevelOptions(OneToOneRate(out, p_.isolation_load, p_.isolation_rate), p_, ours_);
    o.busy_msgs_per_s = p_.isolation_group_rate > 0
                            ? p_.isolation_group_rate
                            : p_.isolation_group_share * r.raw_fanout_per_s / per_delivery;
    o.flood_msgs_per_s = p_.isolation_flood_share * r.saturation_per_s() / per_delivery;
    o.readers = p_.isolation_readers;
    char line[240];
    std::snprintf(line, sizeof(line),
                  "isolation: chat 1:1 at %.0f/s alone, then next to a group of %d at %.1f msgs/s "
                  "(B) and %.1f msgs/s (C) with %d readers; fan-out raw %.0f, chat %.0f "
                  "deliveries/s",
                  o.one_to_one.rate_per_s, p_.group_size, o.busy_msgs_per_s, o.flood_msgs_per_s,
                  o.readers, r.raw_fanout_per_s, r.chat_fanout_per_s);
    Say(line);
    IsolationResult measured = RunIsolation(loop_, *direct_, group_loop_, Group(), o);
    measured.raw_fanout_per_s = r.raw_fanout_per_s;
    measured.chat_fanout_per_s = r.chat_fanout_per_s;
    measured.fanout_source = r.fanout_source;
    r = std::move(measured);
    SayLevel(r.alone, "isolation: 1:1 alone");
    for (const GroupPhase* g : {&r.busy, &r.flood}) {
      std::string phase = g == &r.busy ? "B" : "C";
      SayLevel(g->one_to_one, "isolation " + phase + ": 1:1 next to the group");
      std::snprintf(
          line, sizeof(line),
          "isolation %s: group %.0f deliveries/s, %llu live, %llu by sync, %llu hints, "
          "%llu missing after drain%s",
          phase.c_str(), g->deliveries_per_s, static_cast<unsigned long long>(g->copies.live),
          static_cast<unsigned long long>(g->copies.by_sync),
          static_cast<unsigned long long>(g->copies.hints),
          static_cast<unsigned long long>(g->missing), g->overloaded ? " (group overloaded)" : "");
      Say(line);
    }
  }

  // The same open-loop 1:1 load alone, then next to devices connecting and
  // dropping while others watch them.
  void Presence(BenchResults& out) {
    double rate = OneToOneRate(out, p_.presence_load, p_.presence_rate);
    PresenceOptions o;
    o.one_to_one = LevelOptions(rate, p_, ours_);
    o.churners = p_.presence_churners;
    o.watchers = p_.presence_watchers;
    o.watched_per_watcher = p_.presence_watched;
    o.connects_per_s = p_.presence_connects_per_s;
    o.grace_ms = p_.presence_grace_ms;
    o.rounds = p_.presence_rounds;
    Say("presence: chat 1:1 at " + std::to_string(static_cast<long>(rate)) +
        "/s alone, then next to " + std::to_string(o.churners) + " churners (" +
        std::to_string(static_cast<long>(o.connects_per_s)) +
        " connects/s and drops/s) watched by " + std::to_string(o.watchers) + " devices");
    std::string why = Prepare(*direct_);
    if (why.empty()) {
      crowd_ = std::make_unique<PresenceCrowd>(crowd_loop_, chat_, chat_cfg_.port, o);
      why = crowd_->Setup(MonotonicNs() + kSetupTimeoutNs);
    }
    if (!why.empty()) {
      out.presence = PresenceResult{};
      out.presence->error = why;
      Say("presence: not measured: " + why);
      return;
    }
    out.presence = RunPresence(loop_, *direct_, *crowd_, o);
    const PresenceResult& r = *out.presence;
    for (std::size_t i = 0; i < r.alone.size(); ++i) {
      std::string round = " (round " + std::to_string(i + 1) + ")";
      SayLevel(r.alone[i], "presence: 1:1 alone" + round);
      SayLevel(r.churned[i], "presence: 1:1 next to the churn" + round);
    }
    char line[240];
    std::snprintf(line, sizeof(line),
                  "presence: p99 ratio %.2f (median); %.0f changes/s, %.0f events/s (%.0f "
                  "expected); all: %llu of %llu events, %llu unexpected%s",
                  r.p99_ratio, r.online_changes_per_s + r.offline_changes_per_s, r.events_per_s,
                  r.events_expected_per_s, static_cast<unsigned long long>(r.events),
                  static_cast<unsigned long long>(r.events_expected),
                  static_cast<unsigned long long>(r.unexpected_events),
                  r.error.empty() ? "" : ("; " + r.error).c_str());
    Say(line);
  }

  // Pushes to offline devices through pushd to the fake providers, and the
  // closed-loop 1:1 maximum alone and next to a steady push load.
  void Push(BenchResults& out) {
    Say("push: " + std::to_string(p_.push_recipients) + " offline devices with a push token, " +
        "a burst of one message each, then chat 1:1 closed loop alone and next to " +
        std::to_string(static_cast<long>(p_.push_rate)) + " pushes/s");
    out.push = PushResult{};
    out.push->poll_interval_ms = p_.push_poll_ms;
    try {
      FakePushProviders providers(work_.Sub("push"), p_.push_fakes_path);
      chat_.StartPushd(providers.PushdSettings(), p_.push_poll_ms);
      ChatPushPath pushes(push_loop_, chat_, chat_cfg_, p_.push_senders, p_.push_recipients);
      std::string why = Prepare(raw_);
      if (why.empty()) why = Prepare(*direct_);
      if (why.empty()) why = pushes.Setup(MonotonicNs() + kSetupTimeoutNs);
      if (!why.empty()) throw std::runtime_error(why);
      ProcessList watch = ours_;
      watch.insert(watch.begin(), {"generator", ::getpid()});
      watch.emplace_back("pushd", chat_.pushd_pid());
      watch.emplace_back("push fakes", providers.pid());
      PushOptions o;
      o.burst_per_s = p_.push_burst_rate;
      o.rate_per_s = p_.push_rate;
      o.rounds = p_.push_rounds;
      o.closed = {p_.window, p_.warmup_s, p_.duration_s, 5, watch};
      o.watch = watch;
      out.push = RunPush(loop_, raw_, *direct_, push_loop_, pushes, providers, o);
      out.push->poll_interval_ms = p_.push_poll_ms;
    } catch (const std::exception& e) {
      out.push->error = e.what();
    }
    chat_.StopPushd();
    const PushResult& r = *out.push;
    char line[240];
    std::snprintf(line, sizeof(line), "push: 1:1 next to the push load / alone %.2f (median)%s",
                  r.beside_to_alone, r.error.empty() ? "" : ("; " + r.error).c_str());
    Say(line);
  }

  void CatchUp(BenchResults& out) {
    Say("catch-up: " + std::to_string(p_.catch_up_messages) + " missed messages in " +
        std::to_string(p_.catch_up_conversations) + " conversations, then sync");
    CatchUpOptions o;
    o.port = chat_broker_.port();
    o.conversations = p_.catch_up_conversations;
    o.messages = p_.catch_up_messages;
    o.message_bytes = p_.message_bytes;
    o.sync_limit = p_.sync_limit;
    out.catch_up = RunCatchUp(loop_, chat_, o);
    const CatchUpResult& r = *out.catch_up;
    Say("catch-up: filled " + std::to_string(r.messages_stored) + " in " +
        std::to_string(r.fill_s) + " s (" + std::to_string(r.fill_resends) + " resends); " +
        std::to_string(r.messages_received) + " messages in " + std::to_string(r.pages) +
        " pages, " + std::to_string(r.sync_s) + " s" + (r.error.empty() ? "" : "; " + r.error));
  }

  // Bytes on the device legs, chat next to raw (wire.h).
  void Wire(BenchResults& out) {
    Say("wire: bytes on the device legs per delivered message");
    WireOptions o = p_.wire_options;
    o.raw_port = raw_broker_.port();
    o.chat_port = chat_broker_.port();
    out.wire = RunWire(chat_, o);
  }

  std::size_t lost() const { return loop_.lost() + group_loop_.lost() + crowd_loop_.lost(); }

 private:
  // The 1:1 load of a scenario beside another: `fraction` of the measured
  // chat maximum, or `fallback` when the throughput scenario did not run.
  static double OneToOneRate(const BenchResults& out, double fraction, double fallback) {
    bool measured_max = out.chat && out.chat->error.empty();
    return measured_max ? std::max(10.0, std::round(out.chat->confirmed_per_s * fraction))
                        : fallback;
  }

  // The fan-outs the isolation scenario's group rates derive from: the
  // fanout scenario's of this run, else short ones measured now. "" or why
  // there are none.
  std::string IsolationFanout(const BenchResults& out, IsolationResult& r) {
    std::optional<ThroughputResult> raw = out.raw_fanout, chat = out.chat_group;
    r.fanout_source = "the fanout scenario of this run";
    if (!raw || !raw->error.empty() || raw->delivered_per_s <= 0) {
      Say("isolation: fan-out to " + std::to_string(p_.group_size) + " subscribers for " +
          std::to_string(static_cast<int>(p_.isolation_fanout_s)) + " s, to scale the group");
      MeasureFanouts(p_.isolation_fanout_s, raw, chat);
      r.fanout_source = "measured by this scenario for " +
                        std::to_string(static_cast<int>(p_.isolation_fanout_s)) + " s each";
    }
    if (!raw->error.empty() || raw->delivered_per_s <= 0) {
      return "the raw fan-out was not measured: " + raw->error;
    }
    r.raw_fanout_per_s = raw->delivered_per_s;
    r.chat_fanout_per_s = chat && chat->error.empty() ? chat->delivered_per_s : 0;
    return "";
  }

  // The raw broker's fan-out path (1 publisher, group_size subscribers),
  // made and set up once.
  RawFanoutPath& RawFanout() {
    if (!raw_fanout_) raw_fanout_ = std::make_unique<RawFanoutPath>(loop_, raw_cfg_, p_.group_size);
    return *raw_fanout_;
  }

  // The group of the fan-out and isolation scenarios, made and set up once,
  // on its own loop (the isolation scenario runs it on a second thread).
  ChatGroupPath& Group() {
    if (!group_) {
      group_ = std::make_unique<ChatGroupPath>(group_loop_, chat_, chat_cfg_, p_.group_size);
    }
    return *group_;
  }

  static const std::string& MakeDir(const std::string& dir) {
    std::filesystem::create_directories(dir);
    return dir;
  }

  const BenchParams& p_;
  const WorkDir& work_;
  EventLoop loop_;        // before every path and client, which it must outlive
  EventLoop group_loop_;  // the group's clients only
  EventLoop crowd_loop_;  // the presence scenario's churners and watchers only
  EventLoop push_loop_;   // the push scenario's senders only
  std::string raw_dir_, chat_dir_;
  BrokerProcess raw_broker_;
  PathConfig raw_cfg_;
  RawPairPath raw_;
  ChatDeployment chat_;
  BrokerProcess chat_broker_;
  PathConfig chat_cfg_;
  ProcessList ours_;  // every process of ours, so that "others" is foreign load
  std::unique_ptr<ChatDirectPath> direct_;
  std::unique_ptr<ChatGroupPath> group_;
  std::unique_ptr<RawFanoutPath> raw_fanout_;
  std::unique_ptr<PresenceCrowd> crowd_;
};

void MeasureConnections(const BenchParams& p, const WorkDir& work, BenchResults& out) {
  Say("connections: plain broker, broker with plugin, held target");
  ChatDeployment deployment(work.Sub("connections"), p.chatd_path, p.plugin_path);
  ConnectionOptions o;
  o.devices = p.devices;
  o.held_target = p.held_target;
  o.per_broker_cap = PerBrokerConnectionCap();
  o.hold_s = p.hold_s;
  o.max_pending = p.connect_window;
  o.rounds = std::max(1, p.connection_rounds);
  o.bench_path = p.bench_path;
  o.mosquitto_path = p.mosquitto_path;
  if (!p.haproxy_path.empty() && ::access(p.haproxy_path.c_str(), X_OK) == 0) {
    o.haproxy_path = p.haproxy_path;
  }
  o.dir = work.Sub("connections");
  out.per_broker_cap = o.per_broker_cap;
  out.connections = RunConnectionScenario(deployment, o);
}

void Measure(const BenchParams& p, BenchResults& out) {
  WorkDir work(p.keep_work_dir);
  if (p.throughput || p.latency || p.fanout || p.catch_up || p.isolation || p.presence || p.push ||
      p.wire) {
    MessagingRun run(p, work);
    if (p.throughput || p.latency) run.Throughput(out);
    if (p.latency) run.Latency(out);
    if (p.fanout) run.Fanout(out);
    if (p.isolation) run.Isolation(out);
    if (p.presence) run.Presence(out);
    if (p.push) run.Push(out);
    if (p.catch_up) run.CatchUp(out);
    if (p.wire) run.Wire(out);
    if (run.lost() > 0) out.notes.push_back(std::to_string(run.lost()) + " connections lost");
  }
  if (p.connections) MeasureConnections(p, work, out);
}

}  // namespace

BenchResults RunBench(const BenchParams& p) {
  BenchResults out;
  out.machine = DescribeMachine(p.mosquitto_path);
  out.started = LocalTimestamp();
  out.load_before = LoadAverages();
  int64_t t0 = MonotonicNs();
  double busy0 = MachineBusySeconds(), ours0 = OwnTreeCpuSeconds();
  Measure(p, out);
  double wall = SecondsBetween(t0, MonotonicNs());
  // Every child has been stopped and waited for by now.
  double others = MachineBusySeconds() - busy0 - (OwnTreeCpuSeconds() - ours0);
  out.others_cpu_percent = std::max(0.0, 100.0 * others / wall);
  out.load_after = LoadAverages();
  out.wall_s = wall;
  return out;
}

}  // namespace bench
