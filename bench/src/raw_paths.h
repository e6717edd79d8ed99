// Baselines on a plain broker (no plugin, anonymous): publisher -> subscriber
// pairs, and one publisher fanned out to many subscribers of one topic.
#pragma once

#include <memory>
#include <unordered_map>
#include <vector>

#include "event_loop.h"
#include "traffic_path.h"

namespace bench {

// `pairs` publishers, each to its own topic with one QoS 1 subscriber.
class RawPairPath : public TrafficPath {
 public:
  RawPairPath(EventLoop& loop, PathConfig config, int pairs);
  std::string name() const override { return "raw pub->sub"; }
  int senders() const override { return static_cast<int>(publishers_.size()); }
  int copies_per_message() const override { return 1; }
  std::string Setup(int64_t deadline_ns) override;
  void Send(int sender, const BodyMarker& marker) override;
  void OnMessage(MqttClient& client, std::string_view topic, std::string_view payload) override;

 private:
  EventLoop& loop_;
  PathConfig config_;
  std::vector<std::string> topics_;
  std::vector<std::unique_ptr<MqttClient>> publishers_;
  std::vector<std::unique_ptr<MqttClient>> subscribers_;
};

// One publisher; `subscribers` clients subscribed to its topic at QoS 1. A
// message is confirmed when every subscriber has it.
class RawFanoutPath : public TrafficPath {
 public:
  RawFanoutPath(EventLoop& loop, PathConfig config, int subscribers);
  std::string name() const override { return "raw fan-out"; }
  int senders() const override { return 1; }
  int copies_per_message() const override { return static_cast<int>(subscribers_.size()); }
  std::string Setup(int64_t deadline_ns) override;
  void Send(int sender, const BodyMarker& marker) override;
  void OnMessage(MqttClient& client, std::string_view topic, std::string_view payload) override;

 private:
  EventLoop& loop_;
  PathConfig config_;
  std::string topic_ = "bench/fan/0";
  std::unique_ptr<MqttClient> publisher_;
  std::vector<std::unique_ptr<MqttClient>> subscribers_;
  std::unordered_map<uint64_t, int> copies_seen_;  // seq -> deliveries so far
};

}  // namespace bench
