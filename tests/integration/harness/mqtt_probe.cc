// The integration tests' raw MQTT client.
#include "harness/mqtt_probe.h"

#include <set>

namespace chat::testing {

namespace {

constexpr auto kBrokerTimeout = std::chrono::seconds(10);
constexpr int kSubscribeRefused = 0x80;
constexpr auto kWakeInterval = std::chrono::milliseconds(20);
// Unsubscribing from a filter nobody subscribes to changes nothing, is never
// refused by the plugin, and makes the broker answer with an UNSUBACK.
constexpr const char* kWakeFilter = "harness/wake";

// Every live probe of the process, for WakeOtherProbes.
std::mutex probes_mutex;
std::set<MqttProbe*> probes;

}  // namespace

MqttProbe::MqttProbe(int port, std::string client_id)
    : client_("tcp://127.0.0.1:" + std::to_string(port), client_id,
              static_cast<mqtt::iclient_persistence*>(nullptr)) {
  client_.set_message_callback([this](mqtt::const_message_ptr msg) {
    std::lock_guard lock(mutex_);
    messages_.push_back({msg->get_topic(), msg->get_payload_str()});
    arrived_.notify_all();
  });
  std::lock_guard lock(probes_mutex);
  probes.insert(this);
}

MqttProbe::~MqttProbe() {
  {
    std::lock_guard lock(probes_mutex);
    probes.erase(this);
  }
  try {
    Disconnect();
  } catch (...) {
    // Best effort: the broker may be gone already.
  }
}

int MqttProbe::Connect(const std::string& username, const std::string& password,
                       bool clean_session) {
  // MQTT 3.1.1 and no properties: Paho C++ 1.2.0 crashes on copied v5
  // connect options (docs/DESIGN.md), and 3.1.1 has CONNACK return codes.
  mqtt::connect_options options;
  options.set_mqtt_version(MQTTVERSION_3_1_1);
  options.set_clean_session(clean_session);
  options.set_keep_alive_interval(30);
  options.set_connect_timeout(kBrokerTimeout);
  options.set_automatic_reconnect(false);
  if (!username.empty()) options.set_user_name(username);
  if (!password.empty()) options.set_password(password);
  try {
    auto token = client_.connect(options);
    // Paho C 1.3.12 (Debian 12) polls its sockets with a 1 s timeout and sees
    // a new connection's socket only after the poll in progress has ended: with
    // another probe connected and idle, every Connect took ~2 s. Traffic on
    // the other connections ends those polls early.
    while (!token->wait_for(kWakeInterval)) WakeOtherProbes();
    token->wait();  // rethrows a refusal
    return 0;
  } catch (const mqtt::exception& e) {
    return e.get_return_code();
  }
}

void MqttProbe::WakeOtherProbes() {
  std::lock_guard lock(probes_mutex);
  for (MqttProbe* other : probes) {
    if (other == this || !other->client_.is_connected()) continue;
    try {
      other->client_.unsubscribe(kWakeFilter);
    } catch (const mqtt::exception&) {
      // It may be disconnecting; the next one will do.
    }
  }
}

bool MqttProbe::Subscribe(const std::string& filter) {
  try {
    auto token = client_.subscribe(filter, 1);
    if (!token->wait_for(kBrokerTimeout)) return false;
    mqtt::subscribe_response response = token->get_subscribe_response();
    for (auto code : response.get_reason_codes()) {
      if (static_cast<int>(code) >= kSubscribeRefused) return false;
    }
    return true;
  } catch (const mqtt::exception&) {
    return false;  // Paho reports a 0x80 SUBACK of a single filter as a failure
  }
}

void MqttProbe::Publish(const std::string& topic, const std::string& payload, int qos) {
  auto token = client_.publish(topic, payload.data(), payload.size(), qos, false);
  if (!token->wait_for(kBrokerTimeout)) {
    throw mqtt::exception(MQTTASYNC_FAILURE, "publish to " + topic + " not acknowledged");
  }
}

void MqttProbe::PublishAll(const std::string& topic, const std::vector<std::string>& payloads) {
  std::vector<mqtt::delivery_token_ptr> tokens;
  for (const std::string& payload : payloads) {
    tokens.push_back(client_.publish(topic, payload.data(), payload.size(), 1, false));
  }
  for (auto& token : tokens) {
    if (!token->wait_for(kBrokerTimeout)) {
      throw mqtt::exception(MQTTASYNC_FAILURE, "publish to " + topic + " not acknowledged");
    }
  }
}

std::vector<Received> MqttProbe::WaitFor(std::function<bool(const std::vector<Received>&)> done,
                                         std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  arrived_.wait_for(lock, timeout, [&] { return done(messages_); });
  return messages_;
}

std::vector<Received> MqttProbe::Messages() {
  std::lock_guard lock(mutex_);
  return messages_;
}

void MqttProbe::Disconnect() {
  if (client_.is_connected()) client_.disconnect()->wait_for(kBrokerTimeout);
}

}  // namespace chat::testing
