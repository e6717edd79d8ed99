// The benchmark as a whole: which scenarios run, with what parameters, in
// what order, and everything they measured.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catch_up.h"
#include "closed_loop.h"
#include "connections.h"
#include "isolation.h"
#include "machine_info.h"
#include "open_loop.h"
#include "presence_churn.h"
#include "push_load.h"
#include "wire.h"

namespace bench {

struct BenchParams {
  std::string bench_path;  // this executable (for relay-node and hold children)
  std::string mosquitto_path = BENCH_MOSQUITTO_PATH;
  std::string haproxy_path = "/usr/sbin/haproxy";  // empty or missing: no HAProxy run
  std::string plugin_path = BENCH_PLUGIN_PATH;
  std::string chatd_path = BENCH_CHATD_PATH;
  std::string pushd_path = BENCH_PUSHD_PATH;
  std::string push_fakes_path = BENCH_PUSH_FAKES_PATH;  // run with /usr/bin/python3
  std::string out_dir;                                  // report.md and data files go here
  std::string revision;  // free text for the report, e.g. `git describe`
  bool keep_work_dir = false;
  // Where chatd's database lives; empty: the scratch directory. A tmpfs here
  // (e.g. /dev/shm/x) takes fsync out of the path: for diagnosis only.
  std::string chat_dir;
  // A PostgreSQL server (postgresql://user@host:port/db): the throughput
  // rounds also run chat 1:1 with chatd's database there (in a database
  // chat_bench, created and dropped). Empty: SQLite only.
  std::string postgres_url;
  // Throughput rounds also run chat 1:1 with chatd connected to this many
  // broker nodes and every device on the first: what every batch to every
  // node costs a node that delivers none of it (issue 21). Below 2: not run.
  int nodes = 3;

  bool throughput = true;  // raw, relay and chat 1:1 closed loop
  bool latency = true;     // open-loop levels (needs throughput)
  bool fanout = true;
  bool catch_up = true;
  bool connections = true;
  bool isolation = true;  // 1:1 latency alone and next to a busy group
  bool wire = true;       // bytes on the device legs per delivered message
  bool presence = true;   // 1:1 latency alone and next to a presence churn
  bool push = true;       // pushes to the fake providers; 1:1 throughput next to them

  std::size_t message_bytes = 250;
  int pairs = 8;
  int window = 64;
  int throughput_rounds = 3;
  double warmup_s = 1;
  double duration_s = 5;
  std::vector<double> load_fractions = {0.1, 0.25, 0.5, 0.75, 0.9};
  double level_warmup_s = 1;
  double level_s = 5;
  int group_size = 500;
  int fanout_window = 8;
  int catch_up_conversations = 100;
  int catch_up_messages = 10000;
  int sync_limit = 1000;
  int devices = 50000;  // per single-broker connections run (capped by RLIMIT_NOFILE)
  int held_target = 50000;
  double hold_s = 3;
  int connection_rounds = 3;
  int connect_window = 64;  // connects in progress, all hold workers together
  // Isolation: the 1:1 load is this fraction of the measured chat maximum,
  // or isolation_rate when the throughput scenario did not run.
  double isolation_load = 0.25;
  double isolation_rate = 2000;
  // The group's messages/s (each group_size - 1 deliveries) in phase B:
  // isolation_group_rate when > 0, else isolation_group_share of the raw
  // broker's fan-out (deliveries/s) of this run, per delivery of a message;
  // in phase C isolation_flood_share of the larger of that and the chat
  // group's own fan-out. Without the fanout scenario both are measured for
  // isolation_fanout_s first.
  double isolation_group_rate = 0;
  double isolation_group_share = 0.5;
  double isolation_flood_share = 1.5;
  double isolation_fanout_s = 3;
  int isolation_readers = 50;  // members marking read once a second each
  WireOptions wire_options;    // ports are filled in by the run
  // Presence: the 1:1 load as for isolation (presence_rate without
  // throughput), next to churners coming and going while watchers watch.
  double presence_load = 0.25;
  double presence_rate = 2000;
  int presence_churners = 200;
  int presence_watchers = 50;
  int presence_watched = 20;               // users on each watcher's list
  double presence_connects_per_s = 50;     // and as many drops
  int64_t presence_grace_ms = 300;         // chatd's presence_grace_ms for the whole run
  std::vector<std::string> chatd_options;  // more chatd.conf lines ("key = value") for the run
  int presence_rounds = 3;                 // of 1:1 alone and next to the churn, in turn
  // Push: offline recipients with a push token, written to by connected
  // senders; a burst of one message each, then a steady load beside 1:1.
  int push_recipients = 2000;
  int push_senders = 8;
  double push_burst_rate = 2000;  // msgs/s of the burst
  double push_rate = 200;         // msgs/s (= pushes/s) of the steady load
  int push_rounds = 3;            // of raw, 1:1 alone and 1:1 next to the push load
  int64_t push_poll_ms = 100;     // pushd's poll_interval_ms (its default)
};

// One round of the throughput scenario: the paths back to back.
struct ThroughputRound {
  ThroughputResult raw, relay, chat;
  std::optional<ThroughputResult> chat_postgres;  // with BenchParams::postgres_url
  std::optional<ThroughputResult> chat_nodes;     // with BenchParams::nodes
};

struct BenchResults {
  MachineInfo machine;
  std::string started;
  std::string load_before, load_after;
  double wall_s = 0;
  double others_cpu_percent = 0;  // foreign load over the whole run, % of one core
  std::vector<ThroughputRound> throughput_rounds;
  std::optional<ThroughputResult> raw, relay, chat;  // each path's median round
  double chat_to_raw = 0;  // median over rounds of chat confirmed/s / raw delivered/s
  std::optional<ThroughputResult> chat_postgres;  // its median round
  double postgres_to_sqlite = 0;  // median over rounds of chat_postgres / chat confirmed/s
  std::optional<ThroughputResult> chat_nodes;  // its median round
  double nodes_to_one = 0;  // median over rounds of chat_nodes / chat confirmed/s
  double relay_to_raw = 0;
  std::vector<LatencyResult> chat_latency, raw_latency;  // same offered loads, same order
  double half_chat_rate = 0;  // offered load of the p99 target (0.5 x chat max)
  std::optional<ThroughputResult> raw_fanout, chat_group;
  std::optional<CatchUpResult> catch_up;
  std::optional<IsolationResult> isolation;
  std::optional<PresenceResult> presence;
  std::optional<PushResult> push;
  std::optional<WireResult> wire;
  std::vector<ConnectionRun> connections;
  int per_broker_cap = 0;
  std::vector<std::string> notes;  // failures worth reading
};

// Runs the selected scenarios. Every broker, chatd and helper runs on a free
// loopback port in a fresh scratch directory and is stopped before return.
BenchResults RunBench(const BenchParams& params);

}  // namespace bench
