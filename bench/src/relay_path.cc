// The generator's side of the no-op relay baseline.
#include "relay_path.h"

#include "clock.h"

namespace bench {

RelayPath::RelayPath(EventLoop& loop, PathConfig config, int pairs, RelayNodeSpec node)
    : loop_(loop), config_(config), node_spec_(std::move(node)) {
  for (int i = 0; i < pairs; ++i) {
    std::string n = std::to_string(i);
    up_topics_.push_back("bench/up/" + n);
    senders_.push_back(std::make_unique<MqttClient>(
        AnonymousSpec("bench-rsend-" + n, config.port, {"bench/ack/" + n}), *this, i));
    recipients_.push_back(std::make_unique<MqttClient>(
        AnonymousSpec("bench-rrecv-" + n, config.port, {"bench/down/" + n}), *this, pairs + i));
  }

  ChildProcess::Spec spec;
  spec.path = node_spec_.bench_path;
  spec.args = {"relay-node", "--port", std::to_string(config_.port)};
  spec.log_path = node_spec_.log_path;
  spec.pipe_stdio = true;
  node_ = std::make_unique<ChildProcess>(spec);
}

RelayPath::~RelayPath() = default;

std::string RelayPath::Setup(int64_t deadline_ns) {
  auto line = node_->ReadLine(SteadyAt(deadline_ns));
  if (!line || *line != "ready") {
    return "the relay node did not start (see " + node_spec_.log_path + ")";
  }
  std::vector<MqttClient*> all;
  for (auto& c : recipients_) all.push_back(c.get());
  for (auto& c : senders_) all.push_back(c.get());
  std::size_t ready = ConnectAll(loop_, all, 64, deadline_ns);
  if (ready != all.size())
    return std::to_string(ready) + " of " + std::to_string(all.size()) + " relay clients connected";
  return "";
}

void RelayPath::Send(int sender, const BodyMarker& marker) {
  MqttClient& c = *senders_[static_cast<std::size_t>(sender)];
  c.Publish(up_topics_[static_cast<std::size_t>(sender)], MakeBody(marker, config_.message_bytes));
  loop_.MarkDirty(c);
}

void RelayPath::OnMessage(MqttClient& client, std::string_view, std::string_view payload) {
  int pairs = senders();
  if (client.tag() < pairs) return sink_->OnConfirmed(client.tag());
  auto marker = FindMarker(payload);
  if (!marker) return sink_->OnPathError("relay delivery without a marker");
  sink_->OnDelivered(client.tag() - pairs, *marker);
}

}  // namespace bench
