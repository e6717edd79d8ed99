// The presence scenario's crowd (churners and their watchers) and its three phases.
#include "presence_churn.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "chat/protocol.h"
#include "clock.h"
#include "progress.h"

namespace bench {

namespace {

using json = nlohmann::json;
namespace protocol = chat::protocol;

constexpr std::string_view kChurnerPrefix = "pc";
constexpr const char* kGroupReq = "pg";
constexpr const char* kWatchReq = "pw";
constexpr int64_t kDrainNs = 3 * kNsPerSecond;   // after the last grace, for its events
constexpr int64_t kStrayNs = 300 * kNsPerMs;     // then for events that should not come
constexpr int64_t kIdleSampleNs = kNsPerSecond;  // the processes' idle CPU, before phase C

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The churner index of a user id "pc{i}", or -1.
int ChurnerIndex(std::string_view user, int churners) {
  if (!user.starts_with(kChurnerPrefix)) return -1;
  int i = -1;
  auto digits = user.substr(kChurnerPrefix.size());
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), i);
  if (ec != std::errc() || end != digits.data() + digits.size() || i >= churners) return -1;
  return i;
}

double ShareOf(const CpuShares& shares, const std::string& name) {
  for (const auto& [who, percent] : shares) {
    if (who == name) return percent;
  }
  return 0;
}

}  // namespace

// One run's schedule and tallies; lives while PresenceCrowd::Run runs, on
// the crowd loop's thread. Connect n is due at side_start + n / rate, for
// churner n mod churners; its drop follows half a cycle later.
struct PresenceCrowd::Churn {
  Churn(const SharedInterval& times, const PresenceOptions& o, std::size_t pairs,
        PresenceResult& result)
      : t(times),
        connect_period_ns(kNsPerSecond / o.connects_per_s),
        online_ns(static_cast<int64_t>(o.churners / o.connects_per_s / 2 * kNsPerSecond)),
        grace_ns(o.grace_ms * kNsPerMs),
        blip_every(o.blip_every > 0 ? static_cast<uint64_t>(o.blip_every) : 0),
        blipping(static_cast<std::size_t>(o.churners), 0),
        returning(static_cast<std::size_t>(o.churners), 0),
        connected_ns(static_cast<std::size_t>(o.churners), 0),
        dropped_ns(static_cast<std::size_t>(o.churners), 0),
        dropped_wall_ms(static_cast<std::size_t>(o.churners), 0),
        seen(pairs, -1),
        whole(result) {}

  int64_t ConnectDue(uint64_t n) const {
    return t.side_start_ns + static_cast<int64_t>(static_cast<double>(n) * connect_period_ns);
  }
  int64_t DropDue(uint64_t n) const { return ConnectDue(n) + online_ns; }
  // Blip k: in cycle BlipCycle(k), halfway through its time online, the
  // churner drops and returns half a grace later: no change for watchers.
  uint64_t BlipCycle(uint64_t k) const {
    return blip_every > 0 ? k * blip_every + blip_every / 2 : UINT64_MAX;
  }
  int64_t BlipDropDue(uint64_t k) const { return ConnectDue(BlipCycle(k)) + online_ns / 2; }
  int64_t BlipReturnDue(uint64_t k) const { return BlipDropDue(k) + grace_ns / 2; }
  bool Measured(int64_t ns) const { return ns >= t.from_ns && ns < t.to_ns; }

  const SharedInterval t;
  const double connect_period_ns;
  const int64_t online_ns, grace_ns;
  const uint64_t blip_every;
  uint64_t next_connect = 0, next_drop = 0, next_blip_drop = 0, next_blip_return = 0;
  std::vector<char> blipping, returning;  // per churner: away for a blip, coming back from one
  std::vector<int64_t> connected_ns;      // per churner: CONNACK of its connection, 0 while away
  std::vector<int64_t> dropped_ns, dropped_wall_ms;  // per churner: its last drop
  std::vector<int8_t> seen;  // per watcher x churner: last state received, -1 none, 0/1 off/on
  // The measured interval.
  uint64_t online_changes = 0, offline_changes = 0, expected_in = 0, events_in = 0, bytes_in = 0;
  LatencyRecorder online_delay, offline_delay;
  PresenceResult& whole;  // the whole churn's counts, kept in the result itself
};

PresenceCrowd::PresenceCrowd(EventLoop& loop, ChatDeployment& deployment, int port,
                             const PresenceOptions& options)
    : loop_(loop),
      o_(options),
      churners_(loop, deployment, port, *this, NumberedNames(kChurnerPrefix, options.churners)),
      watchers_(loop, deployment, port, *this, NumberedNames("pw", options.watchers)),
      watched_(static_cast<std::size_t>(options.watchers)),
      watcher_count_(static_cast<std::size_t>(options.churners), 0),
      watches_(static_cast<std::size_t>(options.watchers * options.churners), 0) {
  // Spread the lists evenly: each churner is watched by about
  // watchers x watched_per_watcher / churners devices.
  int per = std::min(o_.watched_per_watcher, o_.churners);
  int stride = std::max(1, o_.churners / std::max(1, o_.watchers));
  for (int w = 0; w < o_.watchers; ++w) {
    for (int k = 0; k < per; ++k) {
      int c = (w * stride + k) % o_.churners;
      watched_[static_cast<std::size_t>(w)].push_back(c);
      ++watcher_count_[static_cast<std::size_t>(c)];
      watches_[static_cast<std::size_t>(w * o_.churners + c)] = 1;
    }
  }
}

PresenceCrowd::~PresenceCrowd() = default;

std::string PresenceCrowd::Setup(int64_t deadline_ns) {
  if (o_.churners <= 0 || o_.watchers <= 0 || o_.connects_per_s <= 0) {
    return "nothing to churn (churners, watchers and connects/s must be positive)";
  }
  double offline_s = o_.churners / o_.connects_per_s / 2;
  if (offline_s * 1000 < 2.0 * static_cast<double>(o_.grace_ms)) {
    return "churners are offline for " + std::to_string(offline_s) +
           " s a cycle, not twice the grace: fewer connects/s or more churners";
  }
  if (auto why = watchers_.Connect(deadline_ns); !why.empty()) return why;
  // A group per watcher with the churners it watches: sharing a
  // conversation is what lets it see them.
  for (std::size_t w = 0; w < watchers_.size(); ++w) {
    json members = json::array();
    for (int c : watched_[w]) members.push_back(churners_.device(static_cast<std::size_t>(c)).user);
    watchers_.Command(w, json{{"type", protocol::command::kGroupCreate},
                              {"req_id", kGroupReq},
                              {"title", "watched"},
                              {"members", members}}
                             .dump());
  }
  auto failed = [this] { return !setup_error_.empty(); };
  auto grouped = [&] { return failed() || groups_ == o_.watchers; };
  if (!loop_.RunUntil(grouped, deadline_ns)) return "chatd did not answer group.create in time";
  if (failed()) return setup_error_;
  for (std::size_t w = 0; w < watchers_.size(); ++w) {
    json users = json::array();
    for (int c : watched_[w]) users.push_back(churners_.device(static_cast<std::size_t>(c)).user);
    watchers_.Command(
        w,
        json{{"type", protocol::command::kPresenceWatch}, {"req_id", kWatchReq}, {"users", users}}
            .dump());
  }
  auto watching = [&] { return failed() || watch_replies_ == o_.watchers; };
  if (!loop_.RunUntil(watching, deadline_ns)) return "chatd did not answer presence.watch in time";
  return setup_error_;
}

int64_t PresenceCrowd::Step(int64_t now) {
  Churn& c = *churn_;
  const SharedInterval& t = c.t;
  const auto n_churners = static_cast<uint64_t>(o_.churners);
  auto churner = [&](uint64_t n) { return static_cast<std::size_t>(n % n_churners); };
  while (c.ConnectDue(c.next_connect) <= now && c.ConnectDue(c.next_connect) < t.to_ns) {
    std::size_t i = churner(c.next_connect++);
    c.connected_ns[i] = 0;
    churners_.StartConnect(i);  // a failed start stays unready: counted at its drop
  }
  // Blips first: each one's drop and return come before its cycle's drop.
  while (c.BlipCycle(c.next_blip_drop) < c.next_connect && c.BlipDropDue(c.next_blip_drop) <= now) {
    std::size_t i = churner(c.BlipCycle(c.next_blip_drop));
    c.blipping[i] = c.connected_ns[i] != 0;
    if (c.blipping[i]) churners_.Drop(i, c.next_blip_drop % 2 == 0);
    ++c.next_blip_drop;
  }
  while (c.next_blip_return < c.next_blip_drop && c.BlipReturnDue(c.next_blip_return) <= now) {
    std::size_t i = churner(c.BlipCycle(c.next_blip_return++));
    if (!c.blipping[i]) continue;
    c.blipping[i] = 0;
    c.returning[i] = 1;
    c.connected_ns[i] = 0;
    churners_.StartConnect(i);
  }
  while (c.next_drop < c.next_connect && c.DropDue(c.next_drop) <= now) {
    uint64_t n = c.next_drop++;
    std::size_t i = churner(n);
    bool clean = (n + n / n_churners) % 2 == 0;  // alternates per churner and cycle
    churners_.Drop(i, clean);
    if (c.connected_ns[i] == 0) {
      ++c.whole.not_ready_at_drop;
      continue;
    }
    c.connected_ns[i] = 0;
    ++(clean ? c.whole.clean_drops : c.whole.unclean_drops);
    c.dropped_ns[i] = now;
    c.dropped_wall_ms[i] = WallMs();
    uint64_t watchers = static_cast<uint64_t>(watcher_count_[i]);
    c.whole.events_expected += watchers;
    if (c.Measured(now + c.grace_ns)) {
      ++c.offline_changes;
      c.expected_in += watchers;
    }
  }
  bool connecting = c.ConnectDue(c.next_connect) < t.to_ns;
  if (!connecting && c.next_drop == c.next_connect) return kNeverNs;
  int64_t next = c.next_drop < c.next_connect ? c.DropDue(c.next_drop) : kNeverNs;
  if (connecting) next = std::min(next, c.ConnectDue(c.next_connect));
  if (c.BlipCycle(c.next_blip_drop) < c.next_connect) {
    next = std::min(next, c.BlipDropDue(c.next_blip_drop));
  }
  if (c.next_blip_return < c.next_blip_drop) {
    next = std::min(next, c.BlipReturnDue(c.next_blip_return));
  }
  return next;
}

void PresenceCrowd::Run(const SharedInterval& t, PresenceResult& r) {
  churn_ = std::make_unique<Churn>(t, o_, watches_.size(), r);
  Churn& c = *churn_;
  for (int64_t next = Step(MonotonicNs()); next != kNeverNs; next = Step(MonotonicNs())) {
    loop_.RunOnce(std::max<int64_t>(0, next - MonotonicNs()));
  }
  // Every churner is offline now: after the grace each watcher must have
  // every change once; a little longer shows any that should not come.
  loop_.RunUntil([&] { return r.events >= r.events_expected; },
                 MonotonicNs() + c.grace_ns + kDrainNs);
  Idle(kStrayNs);

  double window_s = SecondsBetween(t.from_ns, t.to_ns);
  auto per_s = [&](uint64_t n) { return static_cast<double>(n) / window_s; };
  uint64_t changes_in = c.online_changes + c.offline_changes;
  r.online_changes_per_s = per_s(c.online_changes);
  r.offline_changes_per_s = per_s(c.offline_changes);
  r.events_expected_per_s = per_s(c.expected_in);
  r.events_per_s = per_s(c.events_in);
  r.event_bytes_per_change =
      changes_in ? static_cast<double>(c.bytes_in) / static_cast<double>(changes_in) : 0;
  r.online_delay = c.online_delay.Summarize();
  r.offline_delay = c.offline_delay.Summarize();
  churn_.reset();
  r.unexpected_events = unexpected_;
  r.watch_unknown = watch_unknown_;
  r.errors = errors_;
  r.first_error = first_error_;
}

void PresenceCrowd::Idle(int64_t duration_ns) {
  loop_.RunUntil([] { return false; }, MonotonicNs() + duration_ns);
}

void PresenceCrowd::OnReady(MqttClient& client) {
  auto i = static_cast<std::size_t>(client.tag());
  if (!churn_ || i >= churners_.size() || &client != &churners_.client(i)) return;
  Churn& c = *churn_;
  c.connected_ns[i] = client.connack_ns();
  if (c.returning[i]) {  // back within the grace: no change
    c.returning[i] = 0;
    ++c.whole.blips;
    return;
  }
  ++c.whole.connects;
  auto watchers = static_cast<uint64_t>(watcher_count_[i]);
  c.whole.events_expected += watchers;
  if (c.Measured(client.connack_ns())) {
    ++c.online_changes;
    c.expected_in += watchers;
  }
}

void PresenceCrowd::OnMessage(MqttClient& client, std::string_view topic,
                              std::string_view payload) {
  auto i = static_cast<std::size_t>(client.tag());
  if (i < watchers_.size() && &client == &watchers_.client(i)) {
    OnWatcherEvent(i, topic, payload);
  }
}

void PresenceCrowd::OnWatcherEvent(std::size_t w, std::string_view topic,
                                   std::string_view payload) {
  json event = json::parse(payload, nullptr, false);
  if (event.is_discarded() || !event.is_object()) return;
  std::string type = event.value("type", "");
  std::string req_id = event.value("req_id", "");
  if (type == protocol::event::kError) {
    if (errors_++ == 0) first_error_ = std::string(payload.substr(0, 300));
    if (req_id == kGroupReq || req_id == kWatchReq) {
      setup_error_ = "chatd answered " + req_id + " with " + event.value("code", "?");
    }
    return;
  }
  if (type == protocol::event::kConv && req_id == kGroupReq) {
    ++groups_;
    return;
  }
  if (type != protocol::event::kPresence) return;
  const json& users = event.value("users", json::array());
  if (req_id == kWatchReq) {
    ++watch_replies_;
    for (const json& u : users) {
      if (u.value("state", "") == protocol::presence_state::kUnknown) ++watch_unknown_;
    }
    return;
  }
  int64_t now = MonotonicNs();
  for (const json& u : users) {
    int c = ChurnerIndex(u.value("user", ""), o_.churners);
    std::string state = u.value("state", "");
    bool online = state == protocol::presence_state::kOnline;
    bool offline = state == protocol::presence_state::kOffline;
    if (!churn_ || c < 0 || !watches_[w * static_cast<std::size_t>(o_.churners) + c] ||
        !(online || offline)) {
      ++unexpected_;
      continue;
    }
    Churn& ch = *churn_;
    auto ci = static_cast<std::size_t>(c);
    int8_t& last = ch.seen[w * static_cast<std::size_t>(o_.churners) + ci];
    if (last == (online ? 1 : 0)) ++ch.whole.repeated_states;
    last = online ? 1 : 0;
    ++ch.whole.events;
    if (ch.Measured(now)) {
      ++ch.events_in;
      ch.bytes_in += topic.size() + payload.size();
    }
    if (online && ch.connected_ns[ci] > 0) {
      ch.online_delay.Add(now - ch.connected_ns[ci]);
    } else if (offline && ch.dropped_ns[ci] > 0) {
      ch.offline_delay.Add(now - ch.dropped_ns[ci] - ch.grace_ns);
      int64_t error = std::abs(u.value("last_seen", int64_t{0}) - ch.dropped_wall_ms[ci]);
      ch.whole.last_seen_max_error_ms = std::max(ch.whole.last_seen_max_error_ms, error);
    }
  }
}

PresenceResult RunPresence(EventLoop& loop, TrafficPath& one_to_one, PresenceCrowd& crowd,
                           const PresenceOptions& options) {
  PresenceResult result;
  result.churners = options.churners;
  result.watchers = options.watchers;
  result.watched_per_watcher = options.watched_per_watcher;
  result.grace_ms = options.grace_ms;
  result.blip_every = options.blip_every;
  // The churn leads the 1:1 schedule so that its measured interval sees a
  // steady churn: drops begin half a cycle in, offline changes a grace later.
  double half_cycle_s = options.churners / options.connects_per_s / 2;
  double steady_s = half_cycle_s + static_cast<double>(options.grace_ms) / 1000 + 0.2;
  double lead_s = std::max(0.0, steady_s - options.one_to_one.warmup_s);
  std::vector<double> alone_p99, churned_p99, ratios;
  std::map<std::string, double> extra_cpu;  // % of one core, phase B minus A, summed over rounds
  for (int round = 0; round < std::max(1, options.rounds) && result.error.empty(); ++round) {
    AloneAndBeside phases =
        RunAloneThenBeside(loop, one_to_one, options.one_to_one, lead_s,
                           [&](const SharedInterval& t) { crowd.Run(t, result); });
    if (!phases.side_failure.empty()) {
      result.error = "the churn's thread failed: " + phases.side_failure;
    }
    for (const auto& [who, share] : phases.beside.cpu_percent) {
      if (who != "others") extra_cpu[who] += share - ShareOf(phases.alone.cpu_percent, who);
    }
    alone_p99.push_back(phases.alone.latency.p99_ms);
    churned_p99.push_back(phases.beside.latency.p99_ms);
    if (phases.alone.latency.p99_ms > 0) {
      ratios.push_back(phases.beside.latency.p99_ms / phases.alone.latency.p99_ms);
    }
    result.alone.push_back(std::move(phases.alone));
    result.churned.push_back(std::move(phases.beside));
  }
  result.p99_alone_ms = Median(alone_p99);
  result.p99_churned_ms = Median(churned_p99);
  result.p99_ratio = Median(ratios);
  // CPU per change: phase B minus phase A, over the same measured time.
  double changes_per_s = result.online_changes_per_s + result.offline_changes_per_s;
  for (const auto& [who, extra] : extra_cpu) {
    if (changes_per_s <= 0) continue;
    double per_round = extra / static_cast<double>(result.alone.size());
    result.us_per_change_beside.emplace_back(who, per_round / 100 / changes_per_s * 1e6);
  }
  // Phase C: the same churn without 1:1 traffic. Everything else is idle:
  // the processes' CPU over the whole churn, less what they use idle
  // (measured just before), is the churn's.
  CpuSampler idle(options.one_to_one.watch);
  crowd.Idle(kIdleSampleNs);
  CpuShares idle_shares = idle.Finish();
  PresenceResult churn_only;
  SharedInterval t;
  t.side_start_ns = t.start_ns = MonotonicNs() + 50 * kNsPerMs;
  t.from_ns = t.start_ns + static_cast<int64_t>(lead_s * kNsPerSecond);
  t.to_ns = t.from_ns + static_cast<int64_t>(options.one_to_one.duration_s * kNsPerSecond);
  CpuSampler cpu(options.one_to_one.watch);
  int64_t began = MonotonicNs();
  crowd.Run(t, churn_only);
  double wall_s = SecondsBetween(began, MonotonicNs());
  double changes =
      static_cast<double>(churn_only.connects + churn_only.clean_drops + churn_only.unclean_drops);
  result.churn_alone_changes_per_s = changes / wall_s;
  for (const auto& [who, share] : cpu.Finish()) {
    if (who == "others" || changes <= 0) continue;
    double busy = share - ShareOf(idle_shares, who);
    result.us_per_change_alone.emplace_back(who, busy / 100 * wall_s / changes * 1e6);
  }
  return result;
}

bool PresenceTargetMet(const PresenceResult& r) {
  if (!r.error.empty() || r.alone.empty() || r.p99_ratio <= 0) return false;
  for (const auto* phases : {&r.alone, &r.churned}) {
    for (const LatencyResult& x : *phases) {
      if (x.overloaded || x.latency.count == 0) return false;
    }
  }
  return r.p99_ratio <= 1.25;
}

bool PresenceDeliveredExactly(const PresenceResult& r) {
  return r.error.empty() && r.events == r.events_expected && r.unexpected_events == 0 &&
         r.repeated_states == 0 && r.watch_unknown == 0 && r.not_ready_at_drop == 0;
}

}  // namespace bench
