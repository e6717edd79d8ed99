// The raw broker baselines.
#include "raw_paths.h"

namespace bench {

namespace {

std::vector<MqttClient*> Pointers(const std::vector<std::unique_ptr<MqttClient>>& clients) {
  std::vector<MqttClient*> out;
  for (const auto& c : clients) out.push_back(c.get());
  return out;
}

std::string ReadyOrWhy(std::size_t ready, std::size_t wanted, const char* what) {
  if (ready == wanted) return "";
  return std::to_string(ready) + " of " + std::to_string(wanted) + " " + what + " connected";
}

}  // namespace

RawPairPath::RawPairPath(EventLoop& loop, PathConfig config, int pairs)
    : loop_(loop), config_(config) {
  for (int i = 0; i < pairs; ++i) {
    topics_.push_back("bench/raw/" + std::to_string(i));
    std::string n = std::to_string(i);
    publishers_.push_back(
        std::make_unique<MqttClient>(AnonymousSpec("bench-pub-" + n, config.port), *this, i));
    subscribers_.push_back(std::make_unique<MqttClient>(
        AnonymousSpec("bench-sub-" + n, config.port, {topics_.back()}), *this, i));
  }
}

std::string RawPairPath::Setup(int64_t deadline_ns) {
  std::size_t n = ConnectAll(loop_, Pointers(subscribers_), 64, deadline_ns);
  n += ConnectAll(loop_, Pointers(publishers_), 64, deadline_ns);
  return ReadyOrWhy(n, 2 * publishers_.size(), "raw clients");
}

void RawPairPath::Send(int sender, const BodyMarker& marker) {
  MqttClient& pub = *publishers_[static_cast<std::size_t>(sender)];
  pub.Publish(topics_[static_cast<std::size_t>(sender)], MakeBody(marker, config_.message_bytes));
  loop_.MarkDirty(pub);
}

void RawPairPath::OnMessage(MqttClient& client, std::string_view, std::string_view payload) {
  auto marker = FindMarker(payload);
  if (!marker) return sink_->OnPathError("raw delivery without a marker");
  sink_->OnDelivered(client.tag(), *marker);
  sink_->OnConfirmed(client.tag());
}

RawFanoutPath::RawFanoutPath(EventLoop& loop, PathConfig config, int subscribers)
    : loop_(loop), config_(config) {
  publisher_ = std::make_unique<MqttClient>(AnonymousSpec("bench-fanpub", config.port), *this, 0);
  for (int i = 0; i < subscribers; ++i) {
    subscribers_.push_back(std::make_unique<MqttClient>(
        AnonymousSpec("bench-fansub-" + std::to_string(i), config.port, {topic_}), *this, i));
  }
}

std::string RawFanoutPath::Setup(int64_t deadline_ns) {
  std::size_t n = ConnectAll(loop_, Pointers(subscribers_), 64, deadline_ns);
  n += ConnectAll(loop_, {publisher_.get()}, 1, deadline_ns);
  return ReadyOrWhy(n, subscribers_.size() + 1, "fan-out clients");
}

void RawFanoutPath::Send(int, const BodyMarker& marker) {
  publisher_->Publish(topic_, MakeBody(marker, config_.message_bytes));
  loop_.MarkDirty(*publisher_);
}

void RawFanoutPath::OnMessage(MqttClient&, std::string_view, std::string_view payload) {
  auto marker = FindMarker(payload);
  if (!marker) return sink_->OnPathError("fan-out delivery without a marker");
  sink_->OnDelivered(0, *marker);
  if (CountCopy(copies_seen_, marker->seq, copies_per_message())) sink_->OnConfirmed(0);
}

}  // namespace bench
