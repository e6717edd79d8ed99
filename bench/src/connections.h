// The connections scenario: N authenticated devices connect (CONNECT, token
// check, SUBSCRIBE to their two topics) and are held open, against the same
// broker with and without the chat plugin. Reports connects/s and broker
// memory per connection (VmRSS before and after).
#pragma once

#include <string>
#include <vector>

#include "chat_deployment.h"

namespace bench {

struct ConnectionOptions {
  int devices = 0;          // per single-broker run
  int held_target = 50000;  // devices to hold at once (over several brokers if needed)
  int per_broker_cap = 0;   // most connections one broker process can hold here
  int per_worker = 5000;    // devices per hold worker
  int max_pending = 64;     // connects in progress, all workers together
  double hold_s = 5;
  int rounds = 3;          // plain/plugin pairs; medians are reported
  std::string bench_path;  // this executable
  std::string mosquitto_path;
  std::string haproxy_path;  // empty: no run through HAProxy
  int haproxy_nodes = 3;     // broker nodes behind it
  std::string dir;           // scratch directory
};

struct ConnectionRun {
  std::string label;
  int brokers = 0;
  int wanted = 0;
  int ready = 0;
  int refused = 0;
  int lost = 0;
  int alive_after_hold = 0;
  double connack_per_s = 0;  // CONNACKs per second
  double ready_per_s = 0;    // devices connected and subscribed per second
  int rounds = 1;            // runs this record is the median of
  double ready_per_s_min = 0, ready_per_s_max = 0;
  long rss_before_kb = 0;  // all brokers together
  long rss_after_kb = 0;
  double kb_per_connection = 0;
  double broker_cpu_ms_per_connect = 0;
  std::string error;
};

// Provisions enough devices in `deployment`, then runs `rounds` times the
// plain broker and the plugin broker with `devices` each (medians), and, when
// `held_target` exceeds what one broker can hold, the plugin over several
// brokers with `held_target` devices. With `haproxy_path`, last, as many
// devices as one HAProxy process can hold here (two descriptors each)
// connect through HAProxy to `haproxy_nodes` plugin brokers, and the same
// number directly to one plugin broker.
extern const char* const kThroughHaproxy;  // the label of that run
extern const char* const kOneNodeDirect;   // and of its direct counterpart
std::vector<ConnectionRun> RunConnectionScenario(ChatDeployment& deployment,
                                                 const ConnectionOptions& options);

// The most connections one broker process can hold on this machine:
// the hard RLIMIT_NOFILE minus descriptors for everything else, in thousands.
int PerBrokerConnectionCap();

}  // namespace bench
