// libmosquitto glue of MqttClient.
#include "mqtt_client.h"

#include <stdexcept>

#include "chat/topics.h"
#include "clock.h"
#include "event_loop.h"

namespace bench {

ClientSpec AnonymousSpec(std::string client_id, int port, std::vector<std::string> subscriptions) {
  ClientSpec spec;
  spec.client_id = std::move(client_id);
  spec.port = port;
  spec.subscriptions = std::move(subscriptions);
  return spec;
}

ClientSpec DeviceSpec(const std::string& user, const std::string& device, const std::string& token,
                      int port) {
  ClientSpec spec;
  spec.client_id = chat::ClientIdFor(user, device);
  spec.username = user;
  spec.password = token;
  spec.port = port;
  spec.subscriptions = {"chat/inbox/" + user + "/#", chat::DeviceTopic(user, device)};
  return spec;
}

MqttClient::MqttClient(ClientSpec spec, MqttHandler& handler, int tag)
    : spec_(std::move(spec)), handler_(handler), tag_(tag) {
  mosq_.reset(mosquitto_new(spec_.client_id.c_str(), spec_.clean_session, this));
  if (!mosq_) throw std::runtime_error("mosquitto_new failed for " + spec_.client_id);
  mosquitto_int_option(mosq_.get(), MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_int_option(mosq_.get(), MOSQ_OPT_TCP_NODELAY, 1);
  // The scenarios bound their own windows; libmosquitto's default of 20
  // in-flight QoS 1 publishes would silently become the window instead.
  mosquitto_max_inflight_messages_set(mosq_.get(), 0);
  if (!spec_.username.empty()) {
    mosquitto_username_pw_set(mosq_.get(), spec_.username.c_str(),
                              spec_.password.empty() ? nullptr : spec_.password.c_str());
  }
  mosquitto_connect_callback_set(mosq_.get(), &MqttClient::OnConnect);
  mosquitto_subscribe_callback_set(mosq_.get(), &MqttClient::OnSubscribe);
  mosquitto_message_callback_set(mosq_.get(), &MqttClient::OnMessage);
  mosquitto_disconnect_callback_set(mosq_.get(), &MqttClient::OnDisconnect);
}

MqttClient::~MqttClient() {
  if (loop) loop->Forget(*this);
}

int MqttClient::StartConnect() {
  state_ = State::kConnecting;
  const char* bind = spec_.bind_address.empty() ? nullptr : spec_.bind_address.c_str();
  int rc = mosquitto_connect_bind_async(mosq_.get(), spec_.host.c_str(), spec_.port,
                                        spec_.keepalive_s, bind);
  if (rc != MOSQ_ERR_SUCCESS) state_ = State::kLost;
  return rc;
}

int MqttClient::Publish(const std::string& topic, std::string_view payload) {
  return mosquitto_publish(mosq_.get(), nullptr, topic.c_str(), static_cast<int>(payload.size()),
                           payload.data(), 1, false);
}

int MqttClient::Disconnect() { return mosquitto_disconnect(mosq_.get()); }

int MqttClient::fd() const { return mosquitto_socket(mosq_.get()); }
bool MqttClient::WantWrite() const { return mosquitto_want_write(mosq_.get()); }
int MqttClient::LoopRead() { return mosquitto_loop_read(mosq_.get(), 1); }
int MqttClient::LoopWrite() { return mosquitto_loop_write(mosq_.get(), 1); }
void MqttClient::LoopMisc() { mosquitto_loop_misc(mosq_.get()); }

void MqttClient::OnConnect(mosquitto* mosq, void* self, int rc) {
  auto* client = static_cast<MqttClient*>(self);
  client->connack_code_ = rc;
  client->connack_ns_ = MonotonicNs();
  if (rc != 0) {
    client->state_ = State::kRefused;
    return;
  }
  const auto& subs = client->spec_.subscriptions;
  if (subs.empty()) {
    client->state_ = State::kReady;
    client->ready_ns_ = client->connack_ns_;
    client->handler_.OnReady(*client);
    return;
  }
  std::vector<char*> filters;
  for (const auto& s : subs) filters.push_back(const_cast<char*>(s.c_str()));
  client->state_ = State::kSubscribing;
  if (mosquitto_subscribe_multiple(mosq, nullptr, static_cast<int>(filters.size()), filters.data(),
                                   1, 0, nullptr) != MOSQ_ERR_SUCCESS) {
    client->state_ = State::kRefused;
  }
}

void MqttClient::OnSubscribe(mosquitto*, void* self, int, int count, const int* granted) {
  auto* client = static_cast<MqttClient*>(self);
  for (int i = 0; i < count; ++i) {
    if (granted[i] > 2) {  // 0x80: refused
      client->state_ = State::kRefused;
      return;
    }
  }
  client->state_ = State::kReady;
  client->ready_ns_ = MonotonicNs();
  client->handler_.OnReady(*client);
}

void MqttClient::OnMessage(mosquitto*, void* self, const mosquitto_message* message) {
  auto* client = static_cast<MqttClient*>(self);
  std::string_view payload(static_cast<const char*>(message->payload),
                           static_cast<std::size_t>(message->payloadlen));
  client->handler_.OnMessage(*client, message->topic, payload);
}

void MqttClient::OnDisconnect(mosquitto*, void* self, int) {
  auto* client = static_cast<MqttClient*>(self);
  if (client->state_ != State::kRefused) client->state_ = State::kLost;
}

}  // namespace bench
