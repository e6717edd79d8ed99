// The no-op relay process.
#include "relay_node.h"

#include <csignal>
#include <cstdio>
#include <string>

#include "clock.h"
#include "event_loop.h"

namespace bench {

namespace {

volatile std::sig_atomic_t g_stop = 0;

class Relay : public MqttHandler {
 public:
  void OnReady(MqttClient&) override {
    std::printf("ready\n");
    std::fflush(stdout);
  }
  void OnMessage(MqttClient& client, std::string_view topic, std::string_view payload) override {
    constexpr std::string_view kUp = "bench/up/";
    if (!topic.starts_with(kUp)) return;
    std::string_view pair = topic.substr(kUp.size());
    down_.assign("bench/down/").append(pair);
    ack_.assign("bench/ack/").append(pair);
    client.Publish(down_, payload);
    client.Publish(ack_, payload);
  }

 private:
  std::string down_, ack_;
};

}  // namespace

int RunRelayNode(int port) {
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  std::signal(SIGINT, [](int) { g_stop = 1; });
  Relay relay;
  EventLoop loop;
  MqttClient client(AnonymousSpec("bench-relay", port, {"bench/up/+"}), relay, 0);
  if (!loop.Connect(client)) {
    std::fprintf(stderr, "relay-node: cannot connect to port %d\n", port);
    return 1;
  }
  while (!g_stop) {
    loop.RunOnce(100 * kNsPerMs);
    if (client.state() == MqttClient::State::kLost ||
        client.state() == MqttClient::State::kRefused) {
      std::fprintf(stderr, "relay-node: connection lost or refused\n");
      return 1;
    }
  }
  return 0;
}

}  // namespace bench
