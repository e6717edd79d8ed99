// Orchestration of the hold workers and broker measurements.
#include "connections.h"

#include <sys/resource.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include "broker_process.h"
#include "chat/support/haproxy_config.h"
#include "chat/support/loopback.h"
#include "clock.h"

namespace bench {

namespace {

struct Slice {
  int port;
  int first;
  int count;
  std::string bind;
};

// Splits `devices` evenly over the brokers, then each share into workers;
// they connect to `via_port` (a load balancer) when it is set.
std::vector<Slice> PlanSlices(const std::vector<std::unique_ptr<BrokerProcess>>& brokers,
                              int devices, int per_worker, int net, int via_port) {
  std::vector<Slice> slices;
  int first = 0;
  int b = 0;
  for (const auto& broker : brokers) {
    int share = devices / static_cast<int>(brokers.size()) +
                (b++ < devices % static_cast<int>(brokers.size()) ? 1 : 0);
    int workers = (share + per_worker - 1) / per_worker;
    for (int w = 0; w < workers; ++w) {
      int count = share / workers + (w < share % workers ? 1 : 0);
      std::string bind = "127.0." + std::to_string(net) + "." + std::to_string(slices.size() + 1);
      slices.push_back({via_port ? via_port : broker->port(), first, count, bind});
      first += count;
    }
  }
  return slices;
}

ConnectionRun HoldDevices(const std::string& label,
                          const std::vector<std::unique_ptr<BrokerProcess>>& brokers, int devices,
                          const std::string& devices_file, int net, const ConnectionOptions& o,
                          int via_port = 0) {
  ConnectionRun run;
  run.label = label;
  run.brokers = static_cast<int>(brokers.size());
  run.wanted = devices;
  double cpu_before = 0;
  for (const auto& b : brokers) {
    run.rss_before_kb += b->RssKb();
    cpu_before += ProcessCpuSeconds(b->pid());
  }
  std::vector<std::unique_ptr<ChildProcess>> workers;
  std::vector<Slice> slices = PlanSlices(brokers, devices, o.per_worker, net, via_port);
  // The window is shared: mosquitto listens with a backlog of 100, and SYNs
  // beyond it stall for a second each.
  int per_worker_window = std::max(1, o.max_pending / static_cast<int>(slices.size()));
  for (const Slice& s : slices) {
    ChildProcess::Spec spec;
    spec.path = o.bench_path;
    spec.args = {"hold",
                 "--port",
                 std::to_string(s.port),
                 "--bind",
                 s.bind,
                 "--devices-file",
                 devices_file,
                 "--first",
                 std::to_string(s.first),
                 "--count",
                 std::to_string(s.count),
                 "--max-pending",
                 std::to_string(per_worker_window)};
    spec.log_path = o.dir + "/hold-" + label + ".log";
    spec.pipe_stdio = true;
    spec.raise_nofile = true;  // thousands of sockets per worker
    workers.push_back(std::make_unique<ChildProcess>(spec));
  }
  for (auto& w : workers) {
    auto line = w->ReadLine(SteadyAt(MonotonicNs() + 60 * kNsPerSecond));
    if (!line || *line != "armed") {
      run.error = "a hold worker did not start (see " + o.dir + "/hold-" + label + ".log)";
      return run;
    }
  }
  for (auto& w : workers) w->Write("go\n");
  int64_t start = INT64_MAX, last_connack = 0, last_ready = 0;
  for (auto& w : workers) {
    auto line = w->ReadLine(SteadyAt(MonotonicNs() + 180 * kNsPerSecond));
    std::istringstream in(line.value_or(""));
    std::string word;
    int ready = 0, refused = 0, lost = 0;
    int64_t s = 0, c = 0, r = 0;
    if (!(in >> word >> ready >> refused >> lost >> s >> c >> r) || word != "ready") {
      run.error = "a hold worker did not report";
      return run;
    }
    run.ready += ready;
    run.refused += refused;
    run.lost += lost;
    start = std::min(start, s);
    last_connack = std::max(last_connack, c);
    last_ready = std::max(last_ready, r);
  }
  if (run.ready > 0) {
    run.connack_per_s = run.ready / SecondsBetween(start, last_connack);
    run.ready_per_s = run.ready / SecondsBetween(start, last_ready);
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));  // let the broker settle
  double cpu_after = 0;
  for (const auto& b : brokers) {
    run.rss_after_kb += b->RssKb();
    cpu_after += ProcessCpuSeconds(b->pid());
  }
  if (run.ready > 0) {
    run.kb_per_connection = static_cast<double>(run.rss_after_kb - run.rss_before_kb) / run.ready;
    run.broker_cpu_ms_per_connect = (cpu_after - cpu_before) * 1000.0 / run.ready;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(o.hold_s * 1000)));
  for (auto& w : workers) w->CloseStdin();
  for (auto& w : workers) {
    auto line = w->ReadLine(SteadyAt(MonotonicNs() + 30 * kNsPerSecond));
    if (line && line->starts_with("alive ")) run.alive_after_hold += std::stoi(line->substr(6));
  }
  if (run.ready < devices && run.error.empty()) {
    run.error = std::to_string(devices - run.ready) + " devices did not connect (" +
                std::to_string(run.refused) + " refused, " + std::to_string(run.lost) + " lost)";
  }
  return run;
}

std::vector<std::unique_ptr<BrokerProcess>> StartBrokers(int count, const std::string& name,
                                                         const ConnectionOptions& o,
                                                         std::optional<PluginSettings> plugin) {
  std::vector<std::unique_ptr<BrokerProcess>> brokers;
  for (int i = 0; i < count; ++i) {
    brokers.push_back(std::make_unique<BrokerProcess>(
        BrokerSettings{o.dir, name + "-" + std::to_string(i), o.mosquitto_path, plugin}));
  }
  return brokers;
}

// The median of each figure over the rounds, with the range of the rate.
ConnectionRun MedianOf(std::vector<ConnectionRun> rounds) {
  auto median = [&](auto field) {
    std::vector<double> values;
    for (const auto& r : rounds) values.push_back(static_cast<double>(r.*field));
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
  };
  ConnectionRun m = rounds[rounds.size() / 2];
  m.rounds = static_cast<int>(rounds.size());
  m.connack_per_s = median(&ConnectionRun::connack_per_s);
  m.ready_per_s = median(&ConnectionRun::ready_per_s);
  m.kb_per_connection = median(&ConnectionRun::kb_per_connection);
  m.broker_cpu_ms_per_connect = median(&ConnectionRun::broker_cpu_ms_per_connect);
  m.ready_per_s_min = m.ready_per_s_max = rounds[0].ready_per_s;
  for (const auto& r : rounds) {
    m.ready_per_s_min = std::min(m.ready_per_s_min, r.ready_per_s);
    m.ready_per_s_max = std::max(m.ready_per_s_max, r.ready_per_s);
    if (!r.error.empty()) m.error = r.error;
  }
  return m;
}

// HAProxy on a free loopback port in front of `brokers`, for `devices`.
std::unique_ptr<ChildProcess> StartHaproxy(
    const ConnectionOptions& o, const std::vector<std::unique_ptr<BrokerProcess>>& brokers,
    int devices, int* port) {
  std::vector<int> node_ports;
  for (const auto& broker : brokers) node_ports.push_back(broker->port());
  *port = chat::support::FreeLoopbackPort();
  std::string config = o.dir + "/haproxy.cfg";
  WriteTextFile(config, chat::support::HaproxyConfig(*port, node_ports, devices + 100));
  ChildProcess::Spec spec;
  spec.path = o.haproxy_path;
  spec.args = {"-db", "-f", config};
  spec.log_path = o.dir + "/haproxy.log";
  spec.raise_nofile = true;  // two descriptors per device
  auto haproxy = std::make_unique<ChildProcess>(spec);
  int64_t deadline = MonotonicNs() + 10 * kNsPerSecond;
  while (!chat::support::PortAcceptsConnections(*port)) {
    if (!haproxy->Running() || MonotonicNs() > deadline) return nullptr;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return haproxy;
}

void Log(const ConnectionRun& r) {
  std::cerr << "[connections] " << r.label << ": " << r.ready << "/" << r.wanted << " ready on "
            << r.brokers << " broker(s), " << static_cast<long>(r.ready_per_s) << " devices/s, "
            << r.kb_per_connection << " KiB/connection" << (r.error.empty() ? "" : "; " + r.error)
            << "\n";
}

}  // namespace

int PerBrokerConnectionCap() {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_max == RLIM_INFINITY || limit.rlim_max > 1'000'000) return 1'000'000;
  return static_cast<int>((limit.rlim_max - 200) / 1000 * 1000);
}

std::vector<ConnectionRun> RunConnectionScenario(ChatDeployment& deployment,
                                                 const ConnectionOptions& o) {
  int per_broker = std::min(o.devices, o.per_broker_cap);
  int total = std::max(per_broker, o.held_target);
  std::vector<Device> devices;
  for (int i = 0; i < total; ++i) devices.push_back({"cu" + std::to_string(i), "d1", ""});
  int64_t t0 = MonotonicNs();
  deployment.Provision(devices);
  std::cerr << "[connections] provisioned " << total << " devices in "
            << SecondsBetween(t0, MonotonicNs()) << " s\n";
  std::string file = o.dir + "/devices.txt";
  {
    std::ostringstream text;
    for (const auto& d : devices) text << d.user << ' ' << d.device << ' ' << d.token << '\n';
    WriteTextFile(file, text.str());
  }
  // Rounds alternate the variants on fresh brokers, each from its own source
  // addresses, and the median is reported: single connect storms are noisy.
  std::vector<ConnectionRun> plain, plugin;
  for (int round = 0; round < o.rounds; ++round) {
    {
      auto brokers = StartBrokers(1, "conn-plain", o, std::nullopt);
      plain.push_back(HoldDevices("without plugin", brokers, per_broker, file, 11 + 2 * round, o));
      Log(plain.back());
    }
    {
      auto brokers = StartBrokers(1, "conn-plugin", o, deployment.plugin());
      plugin.push_back(HoldDevices("with plugin", brokers, per_broker, file, 12 + 2 * round, o));
      Log(plugin.back());
    }
  }
  std::vector<ConnectionRun> runs = {MedianOf(plain), MedianOf(plugin)};
  if (o.held_target > per_broker) {
    int count = (o.held_target + o.per_broker_cap - 1) / o.per_broker_cap;
    auto brokers = StartBrokers(count, "conn-held", o, deployment.plugin());
    runs.push_back(HoldDevices("held, with plugin", brokers, o.held_target, file, 60, o));
    Log(runs.back());
  }
  if (!o.haproxy_path.empty()) {
    // One HAProxy process: a client connection and a node connection each,
    // within this machine's descriptor limit.
    int devices = std::min(per_broker, o.per_broker_cap / 2 / 1000 * 1000);
    {
      auto brokers = StartBrokers(o.haproxy_nodes, "conn-haproxy", o, deployment.plugin());
      int port = 0;
      auto haproxy = StartHaproxy(o, brokers, devices, &port);
      ConnectionRun run;
      if (haproxy) {
        run = HoldDevices(kThroughHaproxy, brokers, devices, file, 70, o, port);
      } else {
        run.label = kThroughHaproxy;
        run.error = "haproxy did not start (see " + o.dir + "/haproxy.log)";
      }
      runs.push_back(run);
      Log(runs.back());
    }
    auto brokers = StartBrokers(1, "conn-direct", o, deployment.plugin());
    runs.push_back(HoldDevices(kOneNodeDirect, brokers, devices, file, 72, o));
    Log(runs.back());
  }
  return runs;
}

const char* const kThroughHaproxy = "through HAProxy, 3 nodes with plugin";
const char* const kOneNodeDirect = "one node with plugin, same devices";

}  // namespace bench
