// The no-op relay baseline: device -> broker -> relay process -> broker ->
// recipient, plus an ack back to the sender. The relay (relay_node.h) does
// what chatd does minus parsing, SQLite and the plugin, so the chat figure's
// ratio to it is the cost of those.
#pragma once

#include <memory>
#include <vector>

#include "chat/support/child_process.h"
#include "event_loop.h"
#include "traffic_path.h"

namespace bench {

using chat::support::ChildProcess;

struct RelayNodeSpec {
  std::string bench_path;  // this executable, started as `chat-bench relay-node`
  std::string log_path;
};

// Starts the relay node process at construction; Setup() waits for it.
class RelayPath : public TrafficPath {
 public:
  RelayPath(EventLoop& loop, PathConfig config, int pairs, RelayNodeSpec node);
  ~RelayPath() override;
  std::string name() const override { return "no-op relay"; }
  int senders() const override { return static_cast<int>(senders_.size()); }
  int copies_per_message() const override { return 1; }
  std::string Setup(int64_t deadline_ns) override;
  void Send(int sender, const BodyMarker& marker) override;
  void OnMessage(MqttClient& client, std::string_view topic, std::string_view payload) override;
  pid_t node_pid() const { return node_ ? node_->pid() : -1; }

 private:
  EventLoop& loop_;
  PathConfig config_;
  RelayNodeSpec node_spec_;
  std::unique_ptr<ChildProcess> node_;
  std::vector<std::string> up_topics_;
  std::vector<std::unique_ptr<MqttClient>> senders_;     // tag i: publish up, subscribe ack
  std::vector<std::unique_ptr<MqttClient>> recipients_;  // tag pairs + i: subscribe down
};

}  // namespace bench
