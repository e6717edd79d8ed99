// The connection-holding worker process.
#include "hold_worker.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <vector>

#include "clock.h"
#include "event_loop.h"

namespace bench {

namespace {

class Ignore : public MqttHandler {
 public:
  void OnMessage(MqttClient&, std::string_view, std::string_view) override {}
};

bool StdinClosed() {
  pollfd pfd{STDIN_FILENO, POLLIN, 0};
  if (::poll(&pfd, 1, 0) <= 0) return false;
  char c;
  return ::read(STDIN_FILENO, &c, 1) <= 0;
}

}  // namespace

int RunHoldWorker(const HoldOptions& o) {
  Ignore ignore;
  std::vector<std::unique_ptr<MqttClient>> clients;
  std::ifstream in(o.devices_file);
  std::string user, device, token;
  for (int line = 0; line < o.first + o.count && in >> user >> device >> token; ++line) {
    if (line < o.first) continue;
    ClientSpec spec = DeviceSpec(user, device, token, o.port);
    spec.bind_address = o.bind_address;
    clients.push_back(std::make_unique<MqttClient>(spec, ignore, line));
  }
  std::printf("armed\n");
  std::fflush(stdout);
  std::string go;
  if (!std::getline(std::cin, go) || go != "go") return 1;

  EventLoop loop;
  std::vector<MqttClient*> all;
  for (auto& c : clients) all.push_back(c.get());
  int64_t start = MonotonicNs();
  std::size_t ready = ConnectAll(loop, all, static_cast<std::size_t>(o.max_pending),
                                 start + static_cast<int64_t>(o.timeout_s * kNsPerSecond));
  int64_t last_connack = 0, last_ready = 0;
  std::size_t refused = 0;
  for (auto* c : all) {
    last_connack = std::max(last_connack, c->connack_ns());
    last_ready = std::max(last_ready, c->ready_ns());
    if (c->state() == MqttClient::State::kRefused) ++refused;
  }
  std::printf("ready %zu %zu %zu %lld %lld %lld\n", ready, refused, loop.lost(),
              static_cast<long long>(start), static_cast<long long>(last_connack),
              static_cast<long long>(last_ready));
  std::fflush(stdout);

  while (!StdinClosed()) loop.RunOnce(200 * kNsPerMs);
  loop.RunOnce(0);  // notice connections the broker closed meanwhile
  auto alive = std::count_if(all.begin(), all.end(), [](const MqttClient* c) {
    return c->state() == MqttClient::State::kReady;
  });
  std::printf("alive %zd\n", static_cast<ssize_t>(alive));
  std::fflush(stdout);
  return 0;  // the clients close as they are destroyed
}

}  // namespace bench
