// Paho glue for chatd.
#include "chatd/broker_link.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "chat/clock.h"
#include "chat/topics.h"

namespace chat {

namespace {
constexpr int kQos = 1;
constexpr int kMaxBuffered = 200000;              // publishes held while disconnected
constexpr int kMaxInflight = 1000;                // QoS 1 publishes awaiting PUBACK
constexpr int64_t kServiceTokenTtlS = 24 * 3600;  // re-minted at every (re)connect
}  // namespace

BrokerLink::BrokerLink(BrokerLinkOptions options, CommandHandler on_command)
    : options_(std::move(options)), on_command_(std::move(on_command)) {
  std::string uri = "tcp://" + options_.host + ":" + std::to_string(options_.port);
  std::string client_id = std::string(kServicePrefix) + options_.service_name;
  mqtt::create_options create(MQTTVERSION_3_1_1, kMaxBuffered);
  create.set_send_while_disconnected(true, /*anyTime=*/true);
  client_ = std::make_unique<mqtt::async_client>(uri, client_id, create, nullptr);
  client_->set_message_callback([this](mqtt::const_message_ptr message) {
    on_command_(message->get_topic(), message->to_string());
  });
  client_->set_connected_handler([this](const std::string&) {
    spdlog::info("connected to broker {}:{}", options_.host, options_.port);
    Subscribe();
  });
  client_->set_connection_lost_handler([this](const std::string& cause) {
    spdlog::warn("lost the broker connection ({}); reconnecting",
                 cause.empty() ? "no reason" : cause);
  });
  client_->set_update_connection_handler([this](mqtt::connect_data& data) {
    data.set_password(MintToken());
    return true;
  });
}

BrokerLink::~BrokerLink() { Stop(); }

std::string BrokerLink::MintToken() const {
  int64_t now = NowSeconds();
  TokenClaims claims{options_.service_name, "", NewTokenId(), now, now + kServiceTokenTtlS, true};
  return TokenSigner(options_.key).Sign(claims);
}

void BrokerLink::Subscribe() {
  try {
    client_->subscribe(std::string(kAllUpTopics), kQos);
    client_->subscribe(std::string(kAllPresenceTopics), kQos);
    client_->subscribe(std::string(kBrokerBootTopic), kQos);
  } catch (const mqtt::exception& e) {
    spdlog::error("subscribe to {} failed: {}", kAllUpTopics, e.what());
  }
}

bool BrokerLink::Start(const std::atomic<bool>& stop) {
  auto backoff = std::chrono::milliseconds(200);
  while (!stop) {
    // Built here and passed directly: never copy connect options (DESIGN.md, Paho 1.2.0).
    mqtt::connect_options options;
    options.set_mqtt_version(MQTTVERSION_3_1_1);
    options.set_clean_session(false);  // the broker keeps our subscription and queue
    options.set_keep_alive_interval(20);
    options.set_user_name(std::string(kServicePrefix) + options_.service_name);
    options.set_password(MintToken());
    options.set_max_inflight(kMaxInflight);
    options.set_automatic_reconnect(1, 30);
    try {
      client_->connect(options)->wait();
      client_->subscribe(std::string(kAllUpTopics), kQos)->wait();
      client_->subscribe(std::string(kAllPresenceTopics), kQos)->wait();
      client_->subscribe(std::string(kBrokerBootTopic), kQos)->wait();
      return true;
    } catch (const mqtt::exception& e) {
      spdlog::warn("cannot connect to broker {}:{} ({}); retrying in {} ms", options_.host,
                   options_.port, e.what(), backoff.count());
    }
    for (auto waited = std::chrono::milliseconds(0); waited < backoff && !stop;
         waited += std::chrono::milliseconds(50)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
  return false;
}

bool BrokerLink::PublishFanout(const std::string& payload) {
  try {
    client_->publish(std::string(kFanoutTopic), payload.data(), payload.size(), kQos, false);
    return true;
  } catch (const mqtt::exception& e) {
    spdlog::error("fan-out publish of {} bytes could not be queued: {}", payload.size(), e.what());
    return false;
  }
}

void BrokerLink::Stop() {
  if (!client_ || !client_->is_connected()) return;
  try {
    client_->disconnect(std::chrono::seconds(2))->wait_for(std::chrono::seconds(3));
  } catch (const mqtt::exception& e) {
    spdlog::warn("disconnect: {}", e.what());
  }
}

}  // namespace chat
