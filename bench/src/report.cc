// Markdown and TSV output of a run.
#include "report.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace bench {

namespace {

std::string Num(double value, int decimals = 0) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", decimals, value);
  if (decimals != 0 || value < 1000) return text;
  // Thousands separators for big counts.
  std::string digits = text;
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string Ratio(double a, double b) { return b > 0 ? Num(a / b, 2) + "x" : "-"; }

// "generator 95, raw broker 96, others 3": processes under 1 % are left out.
std::string Shares(const CpuShares& shares) {
  std::string out;
  for (const auto& [name, percent] : shares) {
    if (percent < 1 && name != "others") continue;
    out += (out.empty() ? "" : ", ") + name + " " + Num(percent);
  }
  return out;
}

double Others(const CpuShares& shares) {
  for (const auto& [name, percent] : shares) {
    if (name == "others") return percent;
  }
  return 0;
}

std::string Verdict(bool ok) { return ok ? "**met**" : "**missed**"; }

std::vector<double> Confirmed(const std::vector<ThroughputResult>& runs) {
  std::vector<double> out;
  for (const auto& r : runs) out.push_back(r.confirmed_per_s);
  return out;
}

const LatencyResult* LevelAt(const std::vector<LatencyResult>& levels, double rate) {
  for (const auto& l : levels) {
    if (l.offered_per_s == rate) return &l;
  }
  return nullptr;
}

const ConnectionRun* RunNamed(const std::vector<ConnectionRun>& runs, const std::string& label) {
  for (const auto& r : runs) {
    if (r.label == label) return &r;
  }
  return nullptr;
}

void WriteTargets(std::ostream& md, const BenchResults& r, const BenchParams& p) {
  md << "## Against the targets of issue 6\n\n"
     << "| figure | measured | raw broker, same run | ratio | target | verdict |\n"
     << "|---|---|---|---|---|---|\n";
  if (r.chat && r.raw) {
    double ratio = r.chat_to_raw;
    md << "| 1:1 durable throughput (`accepted`/s; median of " << r.throughput_rounds.size()
       << " rounds, ratio within each round) | " << Num(r.chat->confirmed_per_s) << " | "
       << Num(r.raw->delivered_per_s) << " QoS 1 pub->sub msgs/s | " << Num(ratio, 2)
       << "x | >= 0.30x | " << Verdict(ratio >= 0.30) << " |\n";
  }
  if (r.chat_postgres && r.chat) {
    md << "| 1:1 durable throughput with chatd's database on PostgreSQL (median round) | "
       << Num(r.chat_postgres->confirmed_per_s) << " | " << Num(r.chat->confirmed_per_s)
       << " on SQLite, same rounds | " << Num(r.postgres_to_sqlite, 2)
       << "x of SQLite | >= 0.5x of SQLite | " << Verdict(r.postgres_to_sqlite >= 0.5) << " |\n";
  }
  const LatencyResult* chat_half = LevelAt(r.chat_latency, r.half_chat_rate);
  const LatencyResult* raw_half = LevelAt(r.raw_latency, r.half_chat_rate);
  if (chat_half && raw_half) {
    md << "| p99 send-to-deliver at half the 1:1 maximum (" << Num(r.half_chat_rate) << "/s) | "
       << Num(chat_half->latency.p99_ms, 2) << " ms | " << Num(raw_half->latency.p99_ms, 2)
       << " ms | " << Ratio(chat_half->latency.p99_ms, raw_half->latency.p99_ms) << " | <= 10 ms | "
       << Verdict(chat_half->latency.p99_ms <= 10 && !chat_half->overloaded) << " |\n";
  }
  if (r.raw_fanout && r.chat_group) {
    bool have = r.chat_group->error.empty();
    md << "| group of " << p.group_size << ": deliveries/s | "
       << (have ? Num(r.chat_group->delivered_per_s)
                : "not yet available (" + r.chat_group->error + ")")
       << " | " << Num(r.raw_fanout->delivered_per_s) << " (fan-out of one topic) | "
       << (have ? Ratio(r.chat_group->delivered_per_s, r.raw_fanout->delivered_per_s) : "-")
       << " | >= 0.7x | "
       << (have ? Verdict(r.chat_group->delivered_per_s >= 0.7 * r.raw_fanout->delivered_per_s)
                : "not measured")
       << " |\n";
  }
  const ConnectionRun* plain = RunNamed(r.connections, "without plugin");
  const ConnectionRun* plugin = RunNamed(r.connections, "with plugin");
  if (plain && plugin) {
    double rate = plugin->ready_per_s / std::max(plain->ready_per_s, 1e-9);
    md << "| devices connected+subscribed per s, " << Num(plugin->wanted) << " devices | "
       << Num(plugin->ready_per_s) << " | " << Num(plain->ready_per_s) << " (no plugin) | "
       << Num(rate, 2) << "x | >= 0.8x | " << Verdict(rate >= 0.8) << " |\n";
    double mem = plugin->kb_per_connection / std::max(plain->kb_per_connection, 1e-9);
    md << "| broker memory per connection | " << Num(plugin->kb_per_connection, 1) << " KiB | "
       << Num(plain->kb_per_connection, 1) << " KiB (no plugin) | " << Num(mem, 2)
       << "x | <= 1.25x | " << Verdict(mem <= 1.25) << " |\n";
  }
  const ConnectionRun* held = RunNamed(r.connections, "held, with plugin");
  if (!held) held = plugin;
  if (held) {
    md << "| devices held at once, authenticated | " << Num(held->alive_after_hold) << " on "
       << held->brokers << " broker process(es) | - | - | 50,000 | "
       << Verdict(held->alive_after_hold >= 50000)
       << (held->brokers > 1 ? " (see the connections section)" : "") << " |\n";
  }
  const ConnectionRun* haproxy = RunNamed(r.connections, kThroughHaproxy);
  const ConnectionRun* direct = RunNamed(r.connections, kOneNodeDirect);
  if (haproxy && direct) {
    double rate = haproxy->ready_per_s / std::max(direct->ready_per_s, 1e-9);
    md << "| devices connected+subscribed per s through HAProxy to " << haproxy->brokers
       << " nodes, " << Num(haproxy->wanted) << " devices (cluster issue) | "
       << Num(haproxy->ready_per_s) << " (" << Num(haproxy->alive_after_hold) << " held) | "
       << Num(direct->ready_per_s) << " (one node, direct) | " << Num(rate, 2) << "x | - | measured"
       << (haproxy->error.empty() ? "" : ": " + haproxy->error) << " |\n";
  }
  if (r.catch_up) {
    const CatchUpResult& c = *r.catch_up;
    md << "| catch-up of " << Num(c.messages_stored) << " missed messages in " << c.conversations
       << " conversations (`sync`, " << p.sync_limit << " per page) | "
       << (c.error.empty() ? Num(c.sync_s, 3) + " s, " + std::to_string(c.pages) + " pages, " +
                                 std::to_string(c.missing) + " missing"
                           : "failed: " + c.error)
       << " (filled in " << Num(c.fill_s, 1) << " s, " << c.fill_resends << " sends repeated, "
       << c.fill_errors << " error events)"
       << " | - | - | <= 1 s | " << (c.error.empty() ? Verdict(c.sync_s <= 1.0) : "not measured")
       << " |\n";
  }
  md << "\n";
}

// Phase B's and C's rows of the criteria table: the group's offered load
// (msgs/s and the share of the raw fan-out it stands for) and the verdicts.
void WriteIsolationCriteria(std::ostream& md, const IsolationResult& x, const BenchParams& p) {
  // "a group of 500 (12.6 msgs/s, 0.50x the raw fan-out, ...)"
  auto group = [&](const GroupPhase& g, double reference, const std::string& of) {
    std::string share =
        reference > 0
            ? ", " + Num(g.offered_per_s * (x.group_members - 1) / reference, 2) + "x " + of
            : "";
    return "a group of " + std::to_string(p.group_size) + " (" + Num(g.offered_per_s, 1) +
           " msgs/s" + share + ", " + std::to_string(p.isolation_readers) + " read receipts/s)" +
           (x.alone.offered_per_s > 0 ? ", 1:1 at " + Num(x.alone.offered_per_s) + "/s" : "");
  };
  if (!x.error.empty()) {
    md << "| 1:1 p99 next to a busy group of " << p.group_size << " | not measured (" << x.error
       << ") | - | - | B: <= 10 ms and <= 2x alone; C: < 50 ms, every message held | not "
          "measured |\n";
    return;
  }
  const LatencySummary& b = x.busy.one_to_one.latency;
  auto overloads = [](const GroupPhase& g) {
    return std::string(g.one_to_one.overloaded ? "; the 1:1 load overloaded and stopped" : "") +
           (g.overloaded ? "; the group overloaded and stopped" : "");
  };
  md << "| B: 1:1 p99 next to " << group(x.busy, x.raw_fanout_per_s, "the raw fan-out") << " | "
     << Num(b.p99_ms, 2) << " ms; group copies missing after drain: " << x.busy.missing
     << overloads(x.busy) << " | 1:1 alone: " << Num(x.alone.latency.p99_ms, 2) << " ms | "
     << Ratio(b.p99_ms, x.alone.latency.p99_ms) << " | <= 10 ms and <= 2x alone, none missing | "
     << Verdict(IsolationTargetMet(x)) << " |\n";
  const GroupPhase& c = x.flood;
  md << "| C: 1:1 p99 next to " << group(c, x.saturation_per_s(), "the most the broker fanned out")
     << ", alone more than the broker fans out | " << Num(c.one_to_one.latency.p99_ms, 2)
     << " ms; group copies missing after drain: " << c.missing << " (" << c.copies.by_sync
     << " came by sync)" << overloads(c) << " | 1:1 alone: " << Num(x.alone.latency.p99_ms, 2)
     << " ms | " << Ratio(c.one_to_one.latency.p99_ms, x.alone.latency.p99_ms)
     << " | < 50 ms, every member ends with every message | " << Verdict(FloodTargetMet(x))
     << " |\n";
}

// Criteria of our own beside issue 6's targets: issue 4's "large groups must
// not hold up small conversations" (the criterion is ours), issue 18's
// "presence churn must not slow 1:1 by more than a quarter" and issue 19's
// "a push load moves 1:1 throughput by less than 10 %".
void WriteOwnCriteria(std::ostream& md, const BenchResults& r, const BenchParams& p) {
  if (!r.isolation && !r.presence && !r.push) return;
  md << "Beside those targets: issue 4 asks that large groups do not hold up small "
        "conversations (the criterion is ours, section \"Isolation\" below), issue 18 that "
        "presence churn does not slow 1:1 messages by more than a quarter (section "
        "\"Presence\"), issue 19 that a push load moves 1:1 throughput by less than 10 % "
        "(section \"Push\"):\n\n"
     << "| figure | measured | reference, same run | ratio | criterion | verdict |\n"
     << "|---|---|---|---|---|---|\n";
  if (r.isolation) WriteIsolationCriteria(md, *r.isolation, p);
  if (r.presence) {
    const PresenceResult& x = *r.presence;
    md << "| 1:1 p99 next to a presence churn ("
       << Num(x.online_changes_per_s + x.offline_changes_per_s) << " changes/s to " << x.watchers
       << " watching devices)"
       << (x.alone.empty() ? "" : ", 1:1 at " + Num(x.alone[0].offered_per_s) + "/s")
       << ", median of " << x.alone.size() << " rounds | ";
    if (!x.error.empty()) {
      md << "not measured (" << x.error << ") | - | - | <= 1.25x without | not measured |\n";
    } else {
      md << Num(x.p99_churned_ms, 2) << " ms | without the churn: " << Num(x.p99_alone_ms, 2)
         << " ms | " << Num(x.p99_ratio, 2) << "x | <= 1.25x without | "
         << Verdict(PresenceTargetMet(x)) << " |\n";
    }
  }
  if (r.push) {
    const PushResult& x = *r.push;
    md << "| 1:1 `accepted`/s next to " << Num(p.push_rate) << " pushes/s, median of "
       << x.one_to_one_alone.size() << " rounds | ";
    if (x.one_to_one_alone.empty()) {
      md << "not measured (" << x.error << ") | - | - | >= 0.90x alone | not measured |\n";
    } else {
      md << Num(Median(Confirmed(x.one_to_one_beside)))
         << " | alone: " << Num(Median(Confirmed(x.one_to_one_alone))) << " | "
         << Num(x.beside_to_alone, 2) << "x | >= 0.90x alone | " << Verdict(PushTargetMet(x))
         << " |\n";
    }
  }
  md << "\n";
}

void ThroughputRow(std::ostream& md, const ThroughputResult& x, const std::string& label,
                   double baseline) {
  if (!x.error.empty() && x.sent == 0) {
    md << "| " << label << " | - | " << x.error << " | | | | | | |\n";
    return;
  }
  md << "| " << label << " | " << x.senders << " x " << x.window << " | " << Num(x.confirmed_per_s)
     << " | " << Num(x.delivered_per_s) << " | " << Ratio(x.delivered_per_s, baseline) << " | "
     << Num(static_cast<double>(x.sent)) << " | " << x.missing << " | " << x.path_errors
     << (x.first_error.empty() ? "" : " (" + x.first_error + ")") << " | " << Shares(x.cpu_percent)
     << " |\n";
}

void WriteThroughput(std::ostream& md, const BenchResults& r) {
  if (r.throughput_rounds.empty() && !r.raw_fanout) return;
  md << "## Throughput (closed loop)\n\n"
     << "Each sender keeps `window` messages unconfirmed. Confirmed means: raw, delivered to the "
        "subscriber; relay, its ack arrived; chat, the `accepted` event arrived (never a "
        "PUBACK). Ratios are to the raw broker of the same round (fan-out: to the raw fan-out); "
        "`others` is CPU used by processes that are not the benchmark's.\n\n"
     << "| path | senders x window | confirmed/s | delivered/s | ratio | sent | missing "
        "after drain | error events | CPU, % of one core |\n"
        "|---|---|---|---|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < r.throughput_rounds.size(); ++i) {
    const ThroughputRound& round = r.throughput_rounds[i];
    std::string suffix = " (round " + std::to_string(i + 1) + ")";
    double raw = round.raw.delivered_per_s;
    ThroughputRow(md, round.raw, round.raw.path + suffix, raw);
    ThroughputRow(md, round.relay, round.relay.path + suffix, raw);
    ThroughputRow(md, round.chat, round.chat.path + suffix, raw);
    if (round.chat_postgres) {
      ThroughputRow(md, *round.chat_postgres, round.chat_postgres->path + suffix, raw);
    }
    if (round.chat_nodes) {
      ThroughputRow(md, *round.chat_nodes, round.chat_nodes->path + suffix, raw);
    }
  }
  if (r.raw_fanout) {
    double raw_fan = r.raw_fanout->delivered_per_s;
    ThroughputRow(md, *r.raw_fanout, r.raw_fanout->path, raw_fan);
    if (r.chat_group) ThroughputRow(md, *r.chat_group, r.chat_group->path, raw_fan);
  }
  md << "\n";
}

// What every batch to every node costs a node: the nodes leg's CPU shares.
void WriteNodes(std::ostream& md, const BenchResults& r) {
  if (!r.chat_nodes || !r.chat || r.chat_nodes->confirmed_per_s <= 0) return;
  const ThroughputResult& x = *r.chat_nodes;
  double delivering = 0, idle_sum = 0;
  int idle = 0;
  for (const auto& [name, share] : x.cpu_percent) {
    if (name == "node 1") {
      delivering = share;
    } else if (name.starts_with("node ")) {
      idle_sum += share;
      ++idle;
    }
  }
  if (idle == 0) return;
  double per_10k = 10000 / x.confirmed_per_s;
  double idle_share = idle_sum / idle;
  md << "## Every batch to every node\n\n"
     << "chatd publishes every batch to every broker node it is connected to, and each node's "
        "plugin publishes the copies to whoever is connected there. Here chatd was connected "
        "to "
     << idle + 1
     << " nodes with every device on node 1, so the other nodes show what a node pays for "
        "traffic it delivers none of (median round; bench/README.md, \"Every batch to every "
        "node\").\n\n"
     << "| | 1:1 msgs/s | node 1 (every device), % of one core | each other node | per 10,000 "
        "msgs/s: node 1 / other |\n|---|---|---|---|---|\n"
     << "| chatd on " << idle + 1 << " nodes | " << Num(x.confirmed_per_s) << " ("
     << Num(r.nodes_to_one, 2) << "x of one node, same rounds) | " << Num(delivering) << " | "
     << Num(idle_share) << " | " << Num(delivering * per_10k, 1) << " / "
     << Num(idle_share * per_10k, 1) << " (" << Num(delivering > 0 ? idle_share / delivering : 0, 2)
     << "x) |\n\n";
}

void WriteLatency(std::ostream& md, const BenchResults& r) {
  if (r.chat_latency.empty()) return;
  md << "## Send-to-deliver latency (open loop)\n\n"
     << "Senders publish on a fixed schedule; latency runs from the scheduled send to the "
        "recipient device, in ms. The raw broker gets the same offered loads.\n\n"
     << "![latency percentiles vs offered load](latency.png)\n\n"
     << "The CPU columns are the chat level's shares of one core (generator, chat broker, chatd) "
        "and what other processes on the machine used meanwhile (`others`, chat / raw level): "
        "foreign load on a 2-core machine shows up first in the tails.\n\n"
     << "`missing after drain` counts copies of the measured messages that never arrived, after "
        "waiting as long as copies still came in (chat / raw).\n\n"
     << "| offered msgs/s | chat delivered/s | chat p50 | p90 | p99 | p99.9 | max | raw p50 | raw "
        "p99 | raw p99.9 | missing after drain (chat / raw) | CPU % chat level | others % "
        "(chat/raw) | notes |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < r.chat_latency.size(); ++i) {
    const auto& c = r.chat_latency[i];
    const auto& w = r.raw_latency[i];
    std::string notes;
    if (c.offered_per_s == r.half_chat_rate) notes += "target level; ";
    if (c.overloaded) notes += "chat overloaded; ";
    if (w.overloaded) notes += "raw overloaded; ";
    md << "| " << Num(c.offered_per_s) << " | " << Num(c.delivered_per_s) << " | "
       << Num(c.latency.p50_ms, 2) << " | " << Num(c.latency.p90_ms, 2) << " | "
       << Num(c.latency.p99_ms, 2) << " | " << Num(c.latency.p999_ms, 2) << " | "
       << Num(c.latency.max_ms, 2) << " | " << Num(w.latency.p50_ms, 2) << " | "
       << Num(w.latency.p99_ms, 2) << " | " << Num(w.latency.p999_ms, 2) << " | "
       << c.measured_missing << " / " << w.measured_missing << " | " << Shares(c.cpu_percent)
       << " | " << Num(Others(c.cpu_percent)) << " / " << Num(Others(w.cpu_percent)) << " | "
       << notes << " |\n";
  }
  md << "\n";
}

// The 1:1 phases of a scenario that runs it alone (A) and beside a load (B):
// the table and the ratio of their p99.
void PhaseHeader(std::ostream& md) {
  md << "| phase | 1:1 offered/s | 1:1 delivered/s | p50 | p90 | p99 | p99.9 | max | 1:1 missing "
        "after drain | CPU, % of one core | notes "
        "|\n|---|---|---|---|---|---|---|---|---|---|---|\n";
}

void PhaseRow(std::ostream& md, const std::string& phase, const LatencyResult& x) {
  std::string notes = x.overloaded ? "overloaded; " : "";
  if (x.path_errors) notes += std::to_string(x.path_errors) + " error events; ";
  md << "| " << phase << " | " << Num(x.offered_per_s) << " | " << Num(x.delivered_per_s) << " | "
     << Num(x.latency.p50_ms, 2) << " | " << Num(x.latency.p90_ms, 2) << " | "
     << Num(x.latency.p99_ms, 2) << " | " << Num(x.latency.p999_ms, 2) << " | "
     << Num(x.latency.max_ms, 2) << " | " << x.measured_missing << " | " << Shares(x.cpu_percent)
     << " | " << notes << " |\n";
}

// Rounds of A and B (one or more); ends with the p99 ratio of each round.
void WritePhases(std::ostream& md, const std::vector<LatencyResult>& alone,
                 const std::vector<LatencyResult>& beside, const std::string& load) {
  PhaseHeader(md);
  std::string ratios;
  for (std::size_t i = 0; i < alone.size() && i < beside.size(); ++i) {
    std::string round = alone.size() > 1 ? " (round " + std::to_string(i + 1) + ")" : "";
    PhaseRow(md, "A: 1:1 alone" + round, alone[i]);
    PhaseRow(md, "B: next to " + load + round, beside[i]);
    ratios +=
        (ratios.empty() ? "" : ", ") + Ratio(beside[i].latency.p99_ms, alone[i].latency.p99_ms);
  }
  md << "\np99 next to " << load << " / alone" << (alone.size() > 1 ? ", per round: " : ": ")
     << ratios;
}

std::string Count(uint64_t n) { return Num(static_cast<double>(n)); }

void WriteIsolation(std::ostream& md, const BenchResults& r, const BenchParams& p) {
  if (!r.isolation) return;
  const IsolationResult& x = *r.isolation;
  md << "## Isolation: 1:1 next to a busy group, and next to a flooding one\n\n";
  if (!x.error.empty() && x.alone.measured_sent == 0) {
    md << "Not measured: " << x.error << "\n\n";
    return;
  }
  if (!x.error.empty()) md << "Error: " << x.error << "\n\n";
  const GroupPhase &b = x.busy, &c = x.flood;
  int copies = x.group_members - 1;
  md << "Phase A runs chat 1:1 open loop alone; phases B and C run the same load while member 0 "
        "of a group of "
     << x.group_members << " sends to it and " << p.isolation_readers
     << " members each mark the group read once a second (`read` up to the last message they "
        "hold; chatd sends each cursor move as a `receipt` event to the reader and to member 0, "
        "the sender of what it covers). The group's load is scaled to this machine by the "
        "closed-loop fan-outs to "
     << copies << " recipients (" << (x.fanout_source.empty() ? "not measured" : x.fanout_source)
     << "): the raw broker's " << Num(x.raw_fanout_per_s)
     << " deliveries/s (its subscribers take QoS 1 and PUBACK every copy) and the chat group's "
     << Num(x.chat_fanout_per_s) << " (events go to devices at QoS 0). B offers "
     << Num(b.offered_per_s, 1) << " msgs/s (" << Num(b.offered_per_s * copies) << " deliveries/s"
     << (p.isolation_group_rate > 0 ? ", given by --isolation-group-rate"
                                    : ", " + Num(p.isolation_group_share, 2) + "x the raw fan-out")
     << "), C " << Num(c.offered_per_s, 1) << " msgs/s (" << Num(c.offered_per_s * copies)
     << " deliveries/s, " << Num(p.isolation_flood_share, 2)
     << "x the larger of the two), which alone would saturate the broker. Members hold what they "
        "get live or by "
        "`sync`: a live copy whose seq skips one, or a `head` hint (which an overloaded chatd "
        "sends instead of the copies of a large group) above what a member holds, makes it "
        "`sync` from its cursor and page until `more` is false. Latency in ms from the scheduled "
        "send. The group's devices run on a second generator thread with its own event loop, so "
        "1:1 deliveries never queue behind group deliveries in the generator; `generator` is "
        "both threads.\n\n";
  PhaseHeader(md);
  PhaseRow(md, "A: 1:1 alone", x.alone);
  PhaseRow(md, "B: next to the busy group", b.one_to_one);
  PhaseRow(md, "C: next to the flooding group", c.one_to_one);
  md << "\np99 / alone: B " << Ratio(b.one_to_one.latency.p99_ms, x.alone.latency.p99_ms) << ", C "
     << Ratio(c.one_to_one.latency.p99_ms, x.alone.latency.p99_ms)
     << "; B's target (p99 <= 10 ms and <= 2x alone, nothing overloaded, no group copy missing): "
     << Verdict(IsolationTargetMet(x))
     << "; C's (p99 < 50 ms, every member ends with every message): " << Verdict(FloodTargetMet(x))
     << "\n\n"
     << "| the group | B | C |\n|---|---|---|\n";
  auto row = [&](const std::string& label, const std::string& vb, const std::string& vc) {
    md << "| " << label << " | " << vb << " | " << vc << " |\n";
  };
  auto both = [&](const std::string& label, auto figure) { row(label, figure(b), figure(c)); };
  both("offered msgs/s (deliveries/s)", [&](const GroupPhase& g) {
    return Num(g.offered_per_s, 1) + " (" + Num(g.offered_per_s * copies) + ")";
  });
  both("first copies held by members per s, live or by sync (measured interval)",
       [](const GroupPhase& g) { return Num(g.deliveries_per_s); });
  both("send-to-hold p50 / p99 / p99.9 / max, ms", [](const GroupPhase& g) {
    return Num(g.latency.p50_ms, 2) + " / " + Num(g.latency.p99_ms, 2) + " / " +
           Num(g.latency.p999_ms, 2) + " / " + Num(g.latency.max_ms, 2);
  });
  both("live copies / copies by sync / copies held already (whole phase)", [](const GroupPhase& g) {
    return Count(g.copies.live) + " / " + Count(g.copies.by_sync) + " / " +
           Count(g.copies.repeated);
  });
  both("`head` hints received / syncs / sync pages", [](const GroupPhase& g) {
    return Count(g.copies.hints) + " / " + Count(g.copies.syncs) + " / " + Count(g.copies.pages);
  });
  both("copies of measured messages missing after drain", [](const GroupPhase& g) {
    return (g.missing > 0 ? "**" + Count(g.missing) + "**" : "0") +
           (g.overloaded ? " (overloaded: over 2 s (B) or 30 s (C) of messages not held by "
                           "every member, it stopped sending)"
                         : "");
  });
  both("`read` receipts sent / applied by chatd, per s", [](const GroupPhase& g) {
    return Num(g.receipts_sent_per_s) + " / " + Num(g.receipts_applied_per_s);
  });
  both("`receipt` events delivered to members per s",
       [](const GroupPhase& g) { return Num(g.receipt_events_per_s); });
  both("error events of the group", [](const GroupPhase& g) {
    return Count(g.errors) + (g.first_error.empty() ? "" : " (" + g.first_error + ")");
  });
  md << "\n";
}

std::string Delays(const LatencySummary& d) {
  return Num(d.p50_ms, 1) + " / " + Num(d.p99_ms, 1) + " / " + Num(d.max_ms, 1) + " (" +
         Num(static_cast<double>(d.count)) + " events)";
}

// "chat broker 120, chatd 80": every process, negative figures too.
std::string PerChange(const CpuShares& costs) {
  std::string out;
  for (const auto& [name, us] : costs) out += (out.empty() ? "" : ", ") + name + " " + Num(us);
  return out;
}

void WritePresence(std::ostream& md, const BenchResults& r) {
  if (!r.presence) return;
  const PresenceResult& x = *r.presence;
  md << "## Presence: 1:1 next to devices coming and going\n\n";
  if (!x.error.empty() && x.churned.empty()) {
    md << "Not measured: " << x.error << "\n\n";
    return;
  }
  md << "Phase A runs chat 1:1 open loop alone, with " << x.watchers
     << " devices connected and watching (`presence.watch`) " << x.watched_per_watcher
     << " users each; phase B runs the same load while the " << x.churners
     << " watched users' one device each connects and drops on a steady schedule, online for "
        "half of its cycle and offline for the other half, ending with a DISCONNECT and by "
        "closing its socket in turn; in one cycle of "
     << x.blip_every
     << " it also drops halfway and returns half a grace later (a blip), which watchers must "
        "not see. Each watcher shares a group with the users it watches. "
        "chatd's `presence_grace_ms` is "
     << x.grace_ms
     << " ms in this run (10 s by default): a drop becomes an `offline` change after it. "
        "A and B run in turn, "
     << x.alone.size()
     << " rounds of each; the criterion takes the median of the rounds' ratios (the p99 of one "
        "phase is its slowest 1 %, about 50 ms of sends, which one stall of the machine "
        "decides). Phase C runs the same churn without 1:1 traffic, for its cost. "
        "The churners and watchers run on a second generator thread with its own event loop; "
        "`generator` is both threads. Latency in ms from the scheduled send.\n\n";
  WritePhases(md, x.alone, x.churned, "the churn");
  md << "; median " << Num(x.p99_ratio, 2) << "x; criterion (median <= 1.25x, no phase "
     << "overloaded): " << Verdict(PresenceTargetMet(x)) << "\n\n"
     << "| the churn, over the last phase B's measured interval | |\n|---|---|\n"
     << "| presence changes per s: online / offline | " << Num(x.online_changes_per_s) << " / "
     << Num(x.offline_changes_per_s) << " |\n"
     << "| `presence` events to watchers per s: received / expected (changes x their watchers) | "
     << Num(x.events_per_s) << " / " << Num(x.events_expected_per_s) << " |\n"
     << "| CPU per change, µs: the churn alone (phase C, " << Num(x.churn_alone_changes_per_s)
     << " changes/s over the whole churn) | " << PerChange(x.us_per_change_alone) << " |\n"
     << "| CPU per change, µs: phase B minus phase A (noisy: the 1:1 load's CPU varies) | "
     << PerChange(x.us_per_change_beside) << " |\n"
     << "| `presence` event bytes (topic and payload) to watchers, per change | "
     << Num(x.event_bytes_per_change) << " |\n"
     << "| change -> event at the watcher, p50 / p99 / max ms: online (from CONNACK) | "
     << Delays(x.online_delay) << " |\n"
     << "| offline (from the drop + the grace) | " << Delays(x.offline_delay) << " |\n\n"
     << "| every phase B's churn, each after its last grace | |\n|---|---|\n"
     << "| connects / drops clean / unclean / still connecting at their drop | "
     << Num(static_cast<double>(x.connects)) << " / " << Num(static_cast<double>(x.clean_drops))
     << " / " << Num(static_cast<double>(x.unclean_drops)) << " / " << x.not_ready_at_drop << " |\n"
     << "| blips: a drop and a return within half the grace, which watchers must not see | "
     << Num(static_cast<double>(x.blips)) << " |\n"
     << "| `presence` events received / expected | " << Num(static_cast<double>(x.events)) << " / "
     << Num(static_cast<double>(x.events_expected)) << " |\n"
     << "| events about users not watched (or not online/offline) | " << x.unexpected_events
     << " |\n"
     << "| the same state twice in a row for a watched user (a change lost) | " << x.repeated_states
     << " |\n"
     << "| watched users `unknown` in the watch replies | " << x.watch_unknown << " |\n"
     << "| largest \\|`last_seen` - the drop\\| of an `offline` event, ms | "
     << x.last_seen_max_error_ms << " |\n"
     << "| error events of the crowd | " << x.errors
     << (x.first_error.empty() ? "" : " (" + x.first_error + ")") << " |\n"
     << "| every change to each of its watchers once, to no one else | "
     << (PresenceDeliveredExactly(x) ? "yes" : "**no**") << " |\n\n";
  if (!x.error.empty()) md << "Error: " << x.error << "\n\n";
}

void PushRow(std::ostream& md, const std::string& phase, const PushPhase& x) {
  const LatencySummary& l = x.commit_to_request;
  md << "| " << phase << " | " << Num(x.offered_per_s) << " | "
     << Num(static_cast<double>(x.messages)) << " | " << Num(static_cast<double>(x.pushes)) << " | "
     << x.refused << " / " << x.missing << " | " << Num(x.pushes_per_s) << " (" << Num(x.span_s, 2)
     << " s) | " << Num(l.p50_ms) << " / " << Num(l.p90_ms) << " / " << Num(l.p99_ms) << " / "
     << Num(l.max_ms) << " | " << Shares(x.cpu_percent) << " |\n";
}

void WritePush(std::ostream& md, const BenchResults& r) {
  if (!r.push) return;
  const PushResult& x = *r.push;
  md << "## Push: pushes to the providers, and 1:1 next to them\n\n";
  if (!x.error.empty()) md << "Error: " << x.error << "\n\n";
  if (x.burst.messages == 0 && x.one_to_one_alone.empty()) return;
  md << x.senders << " connected devices write to " << Num(x.recipients)
     << " users whose one device is offline and has a push token (half APNs, half FCM); chatd "
        "writes a push job for each message in its transaction, pushd (no alert window, the job "
        "table read every "
     << x.poll_interval_ms
     << " ms) sends it over HTTP/2 and TLS to the local fakes of FCM and APNs "
        "(tests/fakes/push_fakes.py, one python process). A push is matched to its message by "
        "conversation and seq; commit -> request runs from the message's `ts` (chatd's clock at "
        "the commit, as `accepted` reports it) to the fake's log time of the request, both the "
        "machine's wall clock, in ms. The burst sends one message to each recipient (pushd can "
        "collapse nothing), so its commit -> request times include the queue; pushes/s is over "
        "the first to the last request. The fakes stand for Google's and Apple's servers but "
        "share this machine's cores (`push fakes` in the CPU column).\n\n"
     << "| phase | offered msgs/s | messages | pushes | refused / missing | pushes/s (span) | "
        "commit -> request p50 / p90 / p99 / max, ms | CPU, % of one core |\n"
        "|---|---|---|---|---|---|---|---|\n";
  PushRow(md, "burst, one message per device", x.burst);
  for (std::size_t i = 0; i < x.beside.size(); ++i) {
    PushRow(md, "steady, next to 1:1 closed loop (round " + std::to_string(i + 1) + ")",
            x.beside[i]);
  }
  PushRow(md, "steady, alone", x.alone);
  md << "\nChat 1:1 closed loop in rounds of the raw broker, 1:1 alone (A) and 1:1 next to "
        "the steady push load (B, sent on a second generator thread with its own event loop); "
        "ratios to the raw broker of the same round:\n\n"
     << "| path | senders x window | confirmed/s | delivered/s | ratio | sent | missing "
        "after drain | error events | CPU, % of one core |\n"
        "|---|---|---|---|---|---|---|---|---|\n";
  std::string ratios;
  for (std::size_t i = 0; i < x.raw.size() && i < x.one_to_one_beside.size(); ++i) {
    std::string suffix = " (round " + std::to_string(i + 1) + ")";
    double raw = x.raw[i].delivered_per_s;
    ThroughputRow(md, x.raw[i], "raw" + suffix, raw);
    ThroughputRow(md, x.one_to_one_alone[i], "A: chat 1:1 alone" + suffix, raw);
    ThroughputRow(md, x.one_to_one_beside[i], "B: chat 1:1 next to the pushes" + suffix, raw);
    ratios += (ratios.empty() ? "" : ", ") +
              Ratio(x.one_to_one_beside[i].confirmed_per_s, x.one_to_one_alone[i].confirmed_per_s);
  }
  md << "\nB / A per round: " << ratios << "; median " << Num(x.beside_to_alone, 2)
     << "x (target >= 0.90x: " << Verdict(PushTargetMet(x)) << "); to raw, medians: A "
     << Num(x.alone_to_raw, 2) << "x, B " << Num(x.beside_to_raw, 2) << "x\n\n";
}

void WriteConnections(std::ostream& md, const BenchResults& r) {
  if (r.connections.empty()) return;
  md << "## Connections\n\n"
     << "Each device connects with its own token (plugin: JWT check and registry lookup), "
        "subscribes to its two topics and stays connected for the hold time. One broker process "
        "can hold at most "
     << Num(r.per_broker_cap) << " connections here (hard RLIMIT_NOFILE " << r.machine.nofile_hard
     << "; raising it needs CAP_SYS_RESOURCE), so a target beyond "
        "that is held over several broker processes with the plugin, sharing one database, as "
        "in the multi-node layout. Last, as many devices as one HAProxy process can hold here "
        "(a client and a node connection each) connect through HAProxy (deploy/haproxy.cfg's "
        "rules) to three plugin brokers, and the same number directly to one.\n\n"
     << "Single-broker figures are medians of "
     << (r.connections.empty() ? 0 : r.connections[0].rounds)
     << " rounds that alternate the two variants on fresh brokers (range in brackets).\n\n"
     << "| run | brokers | ready / wanted | CONNACKs/s | devices/s (connected + subscribed) | "
        "broker RSS before -> after (MiB) | KiB per connection | broker CPU ms per device | "
        "alive after hold | error |\n|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& c : r.connections) {
    std::string range =
        c.rounds > 1 ? " [" + Num(c.ready_per_s_min) + " - " + Num(c.ready_per_s_max) + "]" : "";
    md << "| " << c.label << " | " << c.brokers << " | " << Num(c.ready) << " / " << Num(c.wanted)
       << " | " << Num(c.connack_per_s) << " | " << Num(c.ready_per_s) << range << " | "
       << Num(c.rss_before_kb / 1024.0, 1) << " -> " << Num(c.rss_after_kb / 1024.0, 1) << " | "
       << Num(c.kb_per_connection, 2) << " | " << Num(c.broker_cpu_ms_per_connect, 3) << " | "
       << Num(c.alive_after_hold) << " | " << c.error << " |\n";
  }
  md << "\n";
}

// Bytes of `type` both ways, per delivered message.
double TypeBytes(const WireFigure& f, int type) {
  auto t = static_cast<std::size_t>(type);
  return f.PerMessage(f.counted.up.by_type[t].bytes + f.counted.down.by_type[t].bytes);
}

double TypePackets(const WireFigure& f, int type) {
  auto t = static_cast<std::size_t>(type);
  return f.PerMessage(f.counted.up.by_type[t].packets + f.counted.down.by_type[t].packets);
}

void WriteWire(std::ostream& md, const BenchResults& r) {
  if (!r.wire) return;
  const WireResult& w = *r.wire;
  double raw = w.figures.empty() ? 0 : w.figures[0].PerMessage(w.figures[0].counted.bytes());
  md << "## Wire: bytes on the device legs per delivered message\n\n"
     << "Every MQTT packet between the devices and the broker, both directions, counted by a "
        "relay in front of the broker (chatd's own connections are not counted), from after "
        "connecting until every copy, its receipts and acks have crossed; divided by the copies "
        "the recipients' apps got. Raw: topic `"
     << w.raw_topic
     << "`. `copies` counts message bodies seen in the byte streams (PUBLISH packets or inside "
        "sync pages), per delivered copy.\n\n"
     << "| scenario | delivered | missing / dup / out of order | B/msg | to raw | up | down | "
        "PUBLISH B (pkts) | PUBACK B (pkts) | other B | copies up / down | time | note |\n"
     << "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const WireFigure& f : w.figures) {
    uint64_t other = f.counted.bytes() - f.counted.up.by_type[kPublish].bytes -
                     f.counted.down.by_type[kPublish].bytes - f.counted.up.by_type[kPuback].bytes -
                     f.counted.down.by_type[kPuback].bytes;
    std::string note = f.detail;
    if (f.receipt_ms >= 0)
      note +=
          "; last `delivered` receipt at the sender " + Num(f.receipt_ms) + " ms after the send";
    if (f.catch_up_s >= 0)
      note += "; reconnect -> all messages in the app " + Num(f.catch_up_s, 2) + " s";
    if (!f.app_events.empty()) note += "; app events: " + f.app_events;
    note += "; before counting (connects, subscriptions, first sync) " + Num(f.setup.bytes()) +
            " B on these legs";
    if (!f.error.empty()) note += "; **" + f.error + "**";
    md << "| " << f.name << " | " << Num(f.delivered) << " / " << Num(f.expected) << " | "
       << f.missing << " / " << f.duplicates << " / " << f.out_of_order << " | "
       << Num(f.PerMessage(f.counted.bytes())) << " | "
       << Ratio(f.PerMessage(f.counted.bytes()), raw) << " | "
       << Num(f.PerMessage(f.counted.up.bytes)) << " | " << Num(f.PerMessage(f.counted.down.bytes))
       << " | " << Num(TypeBytes(f, kPublish)) << " (" << Num(TypePackets(f, kPublish), 2) << ") | "
       << Num(TypeBytes(f, kPuback)) << " (" << Num(TypePackets(f, kPuback), 2) << ") | "
       << Num(f.PerMessage(other)) << " | " << Num(f.PerMessage(f.counted.up.body_copies), 2)
       << " / " << Num(f.PerMessage(f.counted.down.body_copies), 2) << " | " << Num(f.seconds, 1)
       << " s | " << note << " |\n";
  }
  md << "\n";
  for (const WireFigure& f : w.figures) {
    if (f.name == kWirePaceFigure) {
      double bytes = f.PerMessage(f.counted.bytes());
      md << "Target of the wire issue: at most 650 B per delivered 1:1 message at chat pace: "
         << Num(bytes) << " B, " << Verdict(bytes <= 650 && f.error.empty() && f.missing == 0)
         << ".\n";
    } else if (f.name == kWireCatchUpFigure) {
      double copies = f.PerMessage(f.counted.down.body_copies);
      md << "Target of the wire issue: each missed message crosses the wire once when a phone "
            "comes back: "
         << Num(copies, 2) << " copies per message, "
         << Verdict(copies <= 1.0 && f.error.empty() && f.missing == 0) << ".\n";
    }
  }
  md << "\n";
}

// One row per figure and packet type: the raw counts behind the table.
void WriteWireTsv(const WireResult& w, const std::string& path) {
  std::ofstream out(path);
  out << "# scenario\texpected\tdelivered\tmissing\tduplicates\tout_of_order\tbytes_per_msg"
         "\tup_bytes\tdown_bytes\tup_body_copies\tdown_body_copies\tseconds\treceipt_ms"
         "\tcatch_up_s\tpacket\tup_packets\tup_packet_bytes\tdown_packets\tdown_packet_bytes"
         "\terror\n";
  for (const WireFigure& f : w.figures) {
    for (std::size_t t = 0; t < f.counted.up.by_type.size(); ++t) {
      const PacketTally &up = f.counted.up.by_type[t], &down = f.counted.down.by_type[t];
      if (up.packets == 0 && down.packets == 0 && t != kPublish) continue;
      out << f.name << '\t' << f.expected << '\t' << f.delivered << '\t' << f.missing << '\t'
          << f.duplicates << '\t' << f.out_of_order << '\t' << f.PerMessage(f.counted.bytes())
          << '\t' << f.counted.up.bytes << '\t' << f.counted.down.bytes << '\t'
          << f.counted.up.body_copies << '\t' << f.counted.down.body_copies << '\t' << f.seconds
          << '\t' << f.receipt_ms << '\t' << f.catch_up_s << '\t'
          << MqttPacketName(static_cast<int>(t)) << '\t' << up.packets << '\t' << up.bytes << '\t'
          << down.packets << '\t' << down.bytes << '\t' << f.error << '\n';
    }
  }
}

void WriteSetup(std::ostream& md, const BenchResults& r, const BenchParams& p) {
  const MachineInfo& m = r.machine;
  md << "## Machine and parameters\n\n"
     << "- machine: " << m.cpus << " CPUs (" << m.cpu_model << "), " << Num(m.memory_mb) << " MiB, "
     << m.kernel << "; " << m.mosquitto_version << ", libmosquitto " << m.libmosquitto_version
     << "\n"
     << "- load average (1/5/15 min): before " << r.load_before << ", after " << r.load_after
     << "; wall time " << Num(r.wall_s) << " s; other processes used " << Num(r.others_cpu_percent)
     << " % of one core on average during the run\n"
     << "- product revision: " << (p.revision.empty() ? "unknown" : p.revision) << "\n"
     << "- every process on loopback: load generator (one thread, a second for the busy group of "
        "the isolation scenario, the churners and watchers of the presence scenario and the "
        "senders of the push scenario's steady load; "
        "libmosquitto, epoll), "
        "mosquitto (deploy/mosquitto.conf settings, persistence off), chatd "
        "(synchronous=FULL), relay node; brokers and chatd started fresh for this run\n"
     << "- MQTT payload per send: " << p.message_bytes
     << " bytes (chat: the whole `send` "
        "command); QoS 1 everywhere; MQTT 3.1.1; clean session off\n"
     << "- closed loop: " << p.pairs << " sender/recipient pairs, window " << p.window
     << ", warm-up " << p.warmup_s << " s, measured " << p.duration_s << " s\n"
     << "- open loop: offered loads at fractions of the chat 1:1 maximum:";
  for (double f : p.load_fractions) md << " " << f;
  md << "; per level warm-up " << p.level_warmup_s << " s, measured " << p.level_s << " s\n"
     << "- fan-out: " << p.group_size << " subscribers (members), window " << p.fanout_window
     << " messages\n"
     << "- isolation: 1:1 at " << p.isolation_load << " of the chat 1:1 maximum ("
     << Num(p.isolation_rate) << "/s when throughput did not run); group of " << p.group_size
     << " at "
     << (p.isolation_group_rate > 0 ? Num(p.isolation_group_rate) + " msgs/s"
                                    : Num(p.isolation_group_share, 2) + "x the raw fan-out")
     << " (B) and " << Num(p.isolation_flood_share, 2) << "x (C), " << p.isolation_readers
     << " readers at one `read` per second each; warm-up and measured time of an open-loop level\n"
     << "- presence: 1:1 at " << p.presence_load << " of the chat 1:1 maximum ("
     << Num(p.presence_rate) << "/s when throughput did not run); " << p.presence_churners
     << " churners, " << Num(p.presence_connects_per_s) << " connects/s and as many drops, "
     << p.presence_watchers << " watchers of " << p.presence_watched
     << " each; chatd's presence_grace_ms " << p.presence_grace_ms << " for the whole run; "
     << p.presence_rounds << " rounds of A and B\n";
  if (!p.chatd_options.empty()) {
    md << "- chatd.conf additions:";
    for (const std::string& line : p.chatd_options) md << " `" << line << "`";
    md << "\n";
  }
  md << "- push: " << Num(p.push_recipients) << " offline devices, " << p.push_senders
     << " senders; burst at " << Num(p.push_burst_rate) << " msgs/s, steady load "
     << Num(p.push_rate) << " msgs/s; " << p.push_rounds
     << " rounds of raw, A and B (closed-loop settings as above); pushd poll_interval_ms "
     << p.push_poll_ms << ", alert_window_ms 0\n"
     << "- connections: " << Num(p.devices) << " devices per single-broker run";
  if (r.per_broker_cap > 0) md << " (capped at " << Num(r.per_broker_cap) << ")";
  md << ", " << Num(p.held_target) << " held, hold " << p.hold_s << " s\n";
  const WireOptions& w = p.wire_options;
  md << "- wire: " << w.body_bytes << "-byte bodies; raw " << Num(w.raw_messages) << ", 1:1 "
     << Num(w.pace_messages) << " at " << w.pace_per_s << "/s and " << Num(w.fast_messages)
     << " fast, group of " << w.group_size << " " << Num(w.group_messages) << " at " << w.pace_per_s
     << "/s, catch-up " << Num(w.catch_up_messages)
     << "; chat devices on the client library with its default options\n\n";
  if (!r.notes.empty()) {
    md << "## Notes\n\n";
    for (const auto& n : r.notes) md << "- " << n << "\n";
    md << "\n";
  }
}

void WriteLatencyTsv(const std::vector<LatencyResult>& levels, const std::string& path) {
  std::ofstream out(path);
  out << "# offered_per_s\tdelivered_per_s\tp50_ms\tp90_ms\tp99_ms\tp999_ms\tmax_ms\n";
  for (const auto& l : levels) {
    out << l.offered_per_s << '\t' << l.delivered_per_s << '\t' << l.latency.p50_ms << '\t'
        << l.latency.p90_ms << '\t' << l.latency.p99_ms << '\t' << l.latency.p999_ms << '\t'
        << l.latency.max_ms << '\n';
  }
}

}  // namespace

void WriteReport(const BenchResults& r, const BenchParams& p, const std::string& dir) {
  std::ostringstream md;
  md << "# chat-bench report, " << r.started << "\n\n"
     << "Every figure below was measured in this one run, on this machine, side by side with "
        "the raw broker (bench/README.md explains how to read it).\n\n";
  WriteTargets(md, r, p);
  WriteOwnCriteria(md, r, p);
  WriteThroughput(md, r);
  WriteNodes(md, r);
  WriteLatency(md, r);
  WriteWire(md, r);
  WriteIsolation(md, r, p);
  WritePresence(md, r);
  WritePush(md, r);
  WriteConnections(md, r);
  WriteSetup(md, r, p);
  std::ofstream out(dir + "/report.md");
  out << md.str();
  if (!out.flush()) throw std::runtime_error("cannot write " + dir + "/report.md");
  if (r.wire) WriteWireTsv(*r.wire, dir + "/wire.tsv");
  WriteLatencyTsv(r.chat_latency, dir + "/latency-chat.tsv");
  WriteLatencyTsv(r.raw_latency, dir + "/latency-raw.tsv");
}

}  // namespace bench
