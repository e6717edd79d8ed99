// chat-bench: the load generator and measurement driver of the chat backend.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "hold_worker.h"
#include "mqtt_client.h"
#include "relay_node.h"
#include "report.h"
#include "scenarios.h"

namespace {

constexpr const char* kFooter = R"(
`chat-bench run` starts its own brokers (plain mosquitto, and mosquitto with the
chat plugin), chatd, pushd with fake push providers and a no-op relay on free
loopback ports over a fresh database in /tmp/chat-bench-*, runs the scenarios,
stops everything and
writes report.md, latency-chat.tsv, latency-raw.tsv and wire.tsv to --out.
bench/run.sh wraps it (build, plot, results/<date>/, results/latest).

Scenarios (all by default; --only picks some):
  throughput   closed loop: raw QoS 1 pub->sub, no-op relay, chat 1:1 counted
               by `accepted` events (never PUBACKs)
  latency      open loop at fractions of the chat 1:1 maximum, chat and raw
  fanout       raw broker fan-out to --group-size subscribers; chat group
               (reported "not yet available" while chatd lacks group.create)
  catchup      an offline user misses --catchup-messages in
               --catchup-conversations conversations; time to page through sync
  connections  --devices authenticated devices with and without the plugin
               (connects/s, broker RSS per connection), then --held devices
               held at once
  isolation    open-loop chat 1:1 at --isolation-load of the chat maximum
               (--isolation-rate without throughput) alone (A), then next to
               a group of --group-size offered --isolation-group-share of the
               raw broker's fan-out of this run (B; --isolation-group-rate
               msgs/s instead when given), then --isolation-flood-share of
               the larger of it and the chat group's fan-out (C, more than
               the broker can fan out: members fill gaps by sync), while
               --isolation-readers members mark read once a second each;
               without the fanout scenario both fan-outs are measured first
               for --isolation-fanout-duration s
  presence     open-loop chat 1:1 at --presence-load of the chat maximum
               (--presence-rate without throughput) alone, then next to
               --presence-churners users whose device connects and drops
               (--presence-connects connects/s and as many drops, clean and
               unclean in turn) while --presence-watchers devices each watch
               --presence-watched of them, --presence-rounds times in turn
               (the median p99 ratio counts); then the churn alone for its
               CPU per change; chatd's presence grace is --presence-grace-ms
               for the whole run
  push         --push-recipients offline devices with a push token (APNs and
               FCM, local fakes; pushd with no alert window): a burst of one
               message each (pushes/s at the fakes, commit -> provider request
               p50/p99), then --push-rounds rounds of raw, chat 1:1 closed loop
               alone and next to --push-rate pushes/s; then that load alone
  wire         bytes on the device legs (every MQTT packet, both directions,
               counted by a relay in front of the broker) per delivered
               message: raw QoS 1, chat 1:1 at chat pace and fast, a group,
               a catch-up after being offline (--wire-* options)

Examples:
  chat-bench run --out /tmp/r
  chat-bench run --only throughput,latency --duration 4 --out /tmp/r
  chat-bench run --only connections --devices 5000 --held 5000 --out /tmp/r
  chat-bench run --only isolation --level-duration 3 --out /tmp/r
  chat-bench run --only wire --out /tmp/r
  chat-bench run --only presence --out /tmp/r
  chat-bench run --only push --out /tmp/r
)";

std::string SelfPath() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "chat-bench" : path.string();
}

void AddRunOptions(CLI::App& run, bench::BenchParams& p, std::vector<std::string>& only) {
  run.add_option("--out", p.out_dir, "directory for report.md and the data files")->required();
  run.add_option("--only", only, "scenarios to run (comma separated)")
      ->delimiter(',')
      ->check(CLI::IsMember({"throughput", "latency", "fanout", "catchup", "connections",
                             "isolation", "presence", "push", "wire"}));
  run.add_option("--revision", p.revision, "product revision to print in the report");
  run.add_flag("--keep", p.keep_work_dir, "keep the /tmp/chat-bench-* scratch directory");
  run.add_option("--postgres-url", p.postgres_url,
                 "a PostgreSQL server (postgresql://user@host:port/postgres; bench/run.sh starts "
                 "one): throughput also runs chat 1:1 with chatd's database there");
  run.add_option("--nodes", p.nodes,
                 "throughput also runs chat 1:1 with chatd connected to this many broker nodes, "
                 "every device on the first: what each node pays for every batch (below 2: not "
                 "run)")
      ->capture_default_str();
  run.add_option("--chat-dir", p.chat_dir,
                 "directory for chatd's database and logs (diagnosis: a tmpfs removes fsync)");
  run.add_option("--message-bytes", p.message_bytes, "MQTT payload per send")
      ->capture_default_str();
  run.add_option("--pairs", p.pairs, "sender/recipient pairs (1:1, raw, relay)")
      ->capture_default_str();
  run.add_option("--window", p.window, "unconfirmed messages per sender, closed loop")
      ->capture_default_str();
  run.add_option("--rounds", p.throughput_rounds, "throughput rounds (raw, relay, chat each)")
      ->capture_default_str();
  run.add_option("--warmup", p.warmup_s, "closed-loop warm-up, s")->capture_default_str();
  run.add_option("--duration", p.duration_s, "closed-loop measured time, s")->capture_default_str();
  run.add_option("--loads", p.load_fractions, "open-loop loads, fractions of the chat 1:1 maximum")
      ->delimiter(',')
      ->capture_default_str();
  run.add_option("--level-warmup", p.level_warmup_s, "open-loop warm-up per level, s")
      ->capture_default_str();
  run.add_option("--level-duration", p.level_s, "open-loop measured time per level, s")
      ->capture_default_str();
  run.add_option("--group-size", p.group_size, "fan-out subscribers / group members")
      ->capture_default_str();
  run.add_option("--fanout-window", p.fanout_window, "fan-out messages not fully delivered")
      ->capture_default_str();
  run.add_option("--catchup-conversations", p.catch_up_conversations,
                 "conversations the offline user misses messages in")
      ->capture_default_str();
  run.add_option("--catchup-messages", p.catch_up_messages, "messages it misses")
      ->capture_default_str();
  run.add_option("--sync-limit", p.sync_limit, "messages per sync page")->capture_default_str();
  run.add_option("--devices", p.devices, "devices per single-broker connections run")
      ->capture_default_str();
  run.add_option("--held", p.held_target, "devices to hold at once")->capture_default_str();
  run.add_option("--hold", p.hold_s, "how long the devices are held, s")->capture_default_str();
  run.add_option("--connection-rounds", p.connection_rounds,
                 "plain/plugin connection runs; medians are reported")
      ->capture_default_str();
  run.add_option("--connect-window", p.connect_window, "connects in progress, all workers together")
      ->capture_default_str();
  run.add_option("--isolation-load", p.isolation_load,
                 "isolation: 1:1 load, fraction of the chat 1:1 maximum")
      ->capture_default_str();
  run.add_option("--isolation-rate", p.isolation_rate,
                 "isolation: 1:1 msgs/s when throughput did not run")
      ->capture_default_str();
  run.add_option("--isolation-group-rate", p.isolation_group_rate,
                 "isolation: phase B's group msgs/s sent by one member (0: scaled by "
                 "--isolation-group-share)")
      ->capture_default_str();
  run.add_option("--isolation-group-share", p.isolation_group_share,
                 "isolation: phase B's group deliveries/s, fraction of the raw fan-out's")
      ->capture_default_str();
  run.add_option("--isolation-flood-share", p.isolation_flood_share,
                 "isolation: phase C's group deliveries/s, fraction of the larger of the raw "
                 "and the chat group's fan-out")
      ->capture_default_str();
  run.add_option("--isolation-fanout-duration", p.isolation_fanout_s,
                 "isolation: measured time of its own fan-outs when fanout did not run, s")
      ->capture_default_str();
  run.add_option("--isolation-readers", p.isolation_readers,
                 "isolation: members sending one `read` receipt per second each")
      ->capture_default_str();
  run.add_option("--presence-load", p.presence_load,
                 "presence: 1:1 load, fraction of the chat 1:1 maximum")
      ->capture_default_str();
  run.add_option("--presence-rate", p.presence_rate,
                 "presence: 1:1 msgs/s when throughput did not run")
      ->capture_default_str();
  run.add_option("--presence-churners", p.presence_churners,
                 "presence: users whose one device keeps connecting and dropping")
      ->capture_default_str();
  run.add_option("--presence-connects", p.presence_connects_per_s,
                 "presence: churner connects/s, all together (as many drops/s)")
      ->capture_default_str();
  run.add_option("--presence-watchers", p.presence_watchers,
                 "presence: devices watching churners throughout")
      ->capture_default_str();
  run.add_option("--presence-watched", p.presence_watched,
                 "presence: churners on each watcher's list")
      ->capture_default_str();
  run.add_option("--presence-rounds", p.presence_rounds,
                 "presence: rounds of 1:1 alone and next to the churn; the median ratio counts")
      ->capture_default_str();
  run.add_option("--presence-grace-ms", p.presence_grace_ms,
                 "chatd's presence_grace_ms in this run (a drop shows after it)")
      ->capture_default_str();
  run.add_option("--chatd-option", p.chatd_options,
                 "a chatd.conf line for this run, \"key = value\" (repeat it for more; e.g. "
                 "\"paced_slice_copies = 25\")");
  run.add_option("--push-recipients", p.push_recipients,
                 "push: offline devices with a push token (one message each in the burst)")
      ->capture_default_str();
  run.add_option("--push-senders", p.push_senders, "push: connected devices writing to them")
      ->capture_default_str();
  run.add_option("--push-burst-rate", p.push_burst_rate, "push: msgs/s of the burst")
      ->capture_default_str();
  run.add_option("--push-rate", p.push_rate, "push: msgs/s of the steady push load beside 1:1")
      ->capture_default_str();
  run.add_option("--push-rounds", p.push_rounds,
                 "push: rounds of raw, 1:1 alone and 1:1 next to the push load")
      ->capture_default_str();
  run.add_option("--push-poll-ms", p.push_poll_ms, "push: pushd's poll_interval_ms")
      ->capture_default_str();
  bench::WireOptions& w = p.wire_options;
  run.add_option("--wire-body-bytes", w.body_bytes, "wire: message body (raw: payload) bytes")
      ->capture_default_str();
  run.add_option("--wire-raw-messages", w.raw_messages, "wire: raw QoS 1 messages")
      ->capture_default_str();
  run.add_option("--wire-pace-messages", w.pace_messages, "wire: 1:1 messages at chat pace")
      ->capture_default_str();
  run.add_option("--wire-pace-rate", w.pace_per_s, "wire: chat pace, msgs/s (1:1 and group)")
      ->capture_default_str();
  run.add_option("--wire-fast-messages", w.fast_messages, "wire: 1:1 messages as fast as allowed")
      ->capture_default_str();
  run.add_option("--wire-group-size", w.group_size, "wire: group members")->capture_default_str();
  run.add_option("--wire-group-messages", w.group_messages, "wire: group messages at chat pace")
      ->capture_default_str();
  run.add_option("--wire-catchup-messages", w.catch_up_messages,
                 "wire: messages sent while the recipient is offline")
      ->capture_default_str();
  run.add_option("--mosquitto", p.mosquitto_path, "mosquitto executable")->capture_default_str();
  run.add_option("--haproxy", p.haproxy_path,
                 "haproxy executable, for connections through it to 3 nodes (\"\": none)")
      ->capture_default_str();
  run.add_option("--plugin", p.plugin_path, "chat broker plugin")->capture_default_str();
  run.add_option("--chatd", p.chatd_path, "chatd executable")->capture_default_str();
  run.add_option("--pushd", p.pushd_path, "pushd executable")->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "chat-bench - throughput, latency and connections of the chat backend, side by "
      "side with the raw broker"};
  app.footer("\nSee `chat-bench run --help` and bench/README.md.");
  app.require_subcommand(1);

  bench::BenchParams params;
  params.bench_path = SelfPath();
  std::vector<std::string> only;
  CLI::App* run = app.add_subcommand("run", "run the benchmark and write a report");
  run->footer(kFooter);
  AddRunOptions(*run, params, only);

  int relay_port = 0;
  CLI::App* relay = app.add_subcommand("relay-node", "(internal) the no-op relay process");
  relay->add_option("--port", relay_port, "broker port")->required();
  relay->group("");

  bench::HoldOptions hold_options;
  CLI::App* hold = app.add_subcommand("hold", "(internal) a connection-holding worker");
  hold->add_option("--port", hold_options.port)->required();
  hold->add_option("--bind", hold_options.bind_address);
  hold->add_option("--devices-file", hold_options.devices_file)->required();
  hold->add_option("--first", hold_options.first);
  hold->add_option("--count", hold_options.count)->required();
  hold->add_option("--max-pending", hold_options.max_pending);
  hold->group("");

  CLI11_PARSE(app, argc, argv);
  bench::MosquittoLibrary library;
  try {
    if (*relay) return bench::RunRelayNode(relay_port);
    if (*hold) return bench::RunHoldWorker(hold_options);
    if (!only.empty()) {
      auto has = [&](const char* s) {
        return std::find(only.begin(), only.end(), s) != only.end();
      };
      params.throughput = has("throughput");
      params.latency = has("latency");
      params.fanout = has("fanout");
      params.catch_up = has("catchup");
      params.connections = has("connections");
      params.isolation = has("isolation");
      params.presence = has("presence");
      params.push = has("push");
      params.wire = has("wire");
    }
    std::filesystem::create_directories(params.out_dir);
    bench::BenchResults results = bench::RunBench(params);
    bench::WriteReport(results, params, params.out_dir);
    std::cerr << "[bench] wrote " << params.out_dir << "/report.md\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "chat-bench: " << e.what() << "\n";
    return 1;
  }
}
