// Transport over Eclipse Paho MQTT C++ (async_client, MQTT 3.1.1, no persistence).
#include <mqtt/async_client.h>

#include <algorithm>

#include "chat/client/transport.h"

namespace chat::client {
namespace {

using std::chrono::milliseconds;

// Owns one mqtt::async_client per Connect. Paho runs the handlers on its own
// thread; they only forward to the handlers the owner installed.
class PahoTransport final : public Transport {
 public:
  ~PahoTransport() override { Disconnect(milliseconds(1000)); }

  void SetHandlers(MessageHandler on_message, LostHandler on_lost) override {
    on_message_ = std::move(on_message);
    on_lost_ = std::move(on_lost);
  }

  ConnectResult Connect(const ConnectParams& params, milliseconds timeout) override;
  Status Subscribe(const std::vector<std::string>& topics, int qos, milliseconds timeout) override;
  Status Publish(const std::string& topic, const std::string& payload, int qos) override;

  void Disconnect(milliseconds timeout) override {
    if (!client_) return;
    try {
      if (client_->is_connected()) client_->disconnect()->wait_for(timeout);
    } catch (const mqtt::exception&) {
      // Already gone: nothing left to close.
    }
  }

  bool IsConnected() const override { return client_ && client_->is_connected(); }

 private:
  void CreateClient(const ConnectParams& params);

  MessageHandler on_message_;
  LostHandler on_lost_;
  std::unique_ptr<mqtt::async_client> client_;
};

void PahoTransport::CreateClient(const ConnectParams& params) {
  std::string uri = "tcp://" + params.host + ":" + std::to_string(params.port);
  // No Paho persistence: the chat database is the record, and file
  // persistence costs 4x in publish throughput (DESIGN.md).
  client_ = std::make_unique<mqtt::async_client>(uri, params.client_id,
                                                 static_cast<mqtt::iclient_persistence*>(nullptr));
  client_->set_message_callback([this](mqtt::const_message_ptr message) {
    if (on_message_) on_message_(message->get_topic(), message->to_string());
  });
  client_->set_connection_lost_handler([this](const std::string& cause) {
    if (on_lost_)
      on_lost_(cause.empty() ? "the broker closed the connection or the network failed" : cause);
  });
}

ConnectResult PahoTransport::Connect(const ConnectParams& params, milliseconds timeout) {
  Disconnect(timeout);
  client_.reset();
  try {
    CreateClient(params);
    // MQTT 3.1.1 without properties, so nothing here is exposed to Paho
    // 1.2.0's crash on copied MQTT 5 connect options; built in place, moved in.
    mqtt::connect_options options;
    options.set_mqtt_version(MQTTVERSION_3_1_1);
    options.set_clean_session(params.clean_session);
    options.set_keep_alive_interval(std::chrono::seconds(params.keepalive_s));
    auto seconds = std::chrono::ceil<std::chrono::seconds>(timeout);
    options.set_connect_timeout(std::max(seconds, std::chrono::seconds(1)));
    options.set_automatic_reconnect(false);
    options.set_user_name(params.username);
    if (!params.password.empty()) options.set_password(params.password);
    mqtt::token_ptr token = client_->connect(std::move(options));
    if (token->wait_for(timeout + milliseconds(500))) return ConnectResult::Connected();
    client_.reset();
    return ConnectResult::Failed(ConnectResult::Outcome::kTimedOut,
                                 "no CONNACK within " + std::to_string(timeout.count()) + " ms");
  } catch (const mqtt::exception& e) {
    client_.reset();
    int rc = e.get_return_code();
    if (rc >= 1 && rc <= 5) {
      return ConnectResult::Failed(
          ConnectResult::Outcome::kRefused,
          "CONNACK code " + std::to_string(rc) + ": " + std::string(ConnackMeaning(rc)), rc);
    }
    return ConnectResult::Failed(ConnectResult::Outcome::kUnreachable, e.what());
  }
}

Status PahoTransport::Subscribe(const std::vector<std::string>& topics, int qos,
                                milliseconds timeout) {
  if (!IsConnected()) return Status::Error(Status::Code::kNotConnected, "not connected");
  for (const std::string& topic : topics) {
    try {
      mqtt::token_ptr token = client_->subscribe(topic, qos);
      if (!token->wait_for(timeout)) {
        return Status::Error(Status::Code::kTimedOut, "no SUBACK for " + topic);
      }
      mqtt::subscribe_response response = token->get_subscribe_response();
      for (mqtt::ReasonCode code : response.get_reason_codes()) {
        if (static_cast<int>(code) >= 0x80) {
          return Status::Error(Status::Code::kRefused, "subscription refused: " + topic);
        }
      }
    } catch (const mqtt::exception& e) {
      return Status::Error(Status::Code::kRefused,
                           "subscription refused: " + topic + " (" + e.what() + ")");
    }
  }
  return Status::Ok();
}

Status PahoTransport::Publish(const std::string& topic, const std::string& payload, int qos) {
  if (!client_) return Status::Error(Status::Code::kNotConnected, "not connected");
  try {
    client_->publish(topic, payload.data(), payload.size(), qos, /*retained=*/false);
    return Status::Ok();
  } catch (const mqtt::exception& e) {
    auto code = client_->is_connected() ? Status::Code::kFailed : Status::Code::kNotConnected;
    return Status::Error(code, e.what());
  }
}

}  // namespace

std::unique_ptr<Transport> MakePahoTransport() { return std::make_unique<PahoTransport>(); }

}  // namespace chat::client
