// Transport over Eclipse Paho MQTT C++ (async_client, MQTT 3.1.1, no persistence).
#include <mqtt/async_client.h>

#include <algorithm>
#include <mutex>

#include "chat/client/transport.h"
#include "chat/tcp_no_delay.h"

namespace chat::client {
namespace {

using std::chrono::milliseconds;

// Enough for the outbox window plus requests and receipts in flight.
constexpr int kMaxBufferedMessages = 10000;

std::string ServerUri(const ConnectParams& params);

enum class WaitOutcome { kCompleted, kTimedOut, kLost };

// Waits for `token` for up to `timeout`, but no longer than the connection
// lives: Paho completes no token of a connection that is gone (a SUBACK
// wait would last the whole timeout), so is_connected is checked every few
// milliseconds. Throws what token::wait_for throws for a failed token.
WaitOutcome WaitWhileConnected(mqtt::async_client& client, const mqtt::token_ptr& token,
                               milliseconds timeout) {
  constexpr milliseconds kSlice(10);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (token->wait_for(std::clamp(left, milliseconds(0), kSlice))) return WaitOutcome::kCompleted;
    if (!client.is_connected()) return WaitOutcome::kLost;
    if (left <= milliseconds(0)) return WaitOutcome::kTimedOut;
  }
}

// Owns one mqtt::async_client per Connect. Paho runs the handlers on its own
// thread; they only forward to the handlers the owner installed. The client
// pointer is swapped under a mutex, so Publish from any thread sees either
// the old client, the new one, or none; never a destroyed one.
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
  void Disconnect(milliseconds timeout) override;
  bool IsConnected() const override {
    auto client = Current();
    return client && client->is_connected();
  }

 private:
  using ClientPtr = std::shared_ptr<mqtt::async_client>;

  ClientPtr Current() const {
    std::lock_guard lock(mu_);
    return client_;
  }
  ClientPtr CreateClient(const ConnectParams& params);

  MessageHandler on_message_;
  LostHandler on_lost_;
  mutable std::mutex mu_;
  ClientPtr client_;  // guarded by mu_ (the pointer; the client is thread-safe)
};

std::string ServerUri(const ConnectParams& params) {
  return "tcp://" + params.host + ":" + std::to_string(params.port);
}

PahoTransport::ClientPtr PahoTransport::CreateClient(const ConnectParams& params) {
  std::string uri = ServerUri(params);
  // No Paho persistence: the outbox is the record, and file persistence
  // costs 4x in publish throughput (DESIGN.md).
  auto client = std::make_shared<mqtt::async_client>(
      uri, params.client_id, mqtt::create_options(MQTTVERSION_3_1_1, kMaxBufferedMessages),
      nullptr);
  client->set_message_callback([this](mqtt::const_message_ptr message) {
    if (on_message_) on_message_(message->get_topic(), message->to_string());
  });
  client->set_connection_lost_handler([this](const std::string& cause) {
    if (on_lost_)
      on_lost_(cause.empty() ? "the broker closed the connection or the network failed" : cause);
  });
  return client;
}

ConnectResult PahoTransport::Connect(const ConnectParams& params, milliseconds timeout) {
  // After a loss, the same client object connects again: destroying one
  // whose connection broke with publishes queued leaks them in Paho C.
  ClientPtr client;
  {
    std::lock_guard lock(mu_);
    if (client_ && !client_->is_connected() && client_->get_server_uri() == ServerUri(params) &&
        client_->get_client_id() == params.client_id) {
      client = client_;
    }
  }
  if (!client) Disconnect(timeout);
  try {
    if (!client) client = CreateClient(params);
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
    mqtt::token_ptr token = client->connect(std::move(options));
    if (!token->wait_for(timeout + milliseconds(500))) {
      // A connect still in progress would refuse the next one: start afresh.
      std::lock_guard lock(mu_);
      if (client_ == client) client_.reset();
      return ConnectResult::Failed(ConnectResult::Outcome::kTimedOut,
                                   "no CONNACK within " + std::to_string(timeout.count()) + " ms");
    }
    // Paho leaves Nagle on: a send right after a PUBACK would wait for the
    // broker's delayed ACK, up to 40 ms (chat/tcp_no_delay.h).
    DisableNagleToPort(static_cast<uint16_t>(params.port));
    std::lock_guard lock(mu_);
    client_ = std::move(client);
    return ConnectResult::Connected();
  } catch (const mqtt::exception& e) {
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
  ClientPtr client = Current();
  if (!client || !client->is_connected()) {
    return Status::Error(Status::Code::kNotConnected, "not connected");
  }
  for (const std::string& topic : topics) {
    try {
      mqtt::token_ptr token = client->subscribe(topic, qos);
      switch (WaitWhileConnected(*client, token, timeout)) {
        case WaitOutcome::kCompleted: break;
        case WaitOutcome::kTimedOut:
          return Status::Error(Status::Code::kTimedOut, "no SUBACK for " + topic);
        case WaitOutcome::kLost:
          return Status::Error(Status::Code::kNotConnected,
                               "the connection was lost while waiting for the SUBACK for " + topic);
      }
      mqtt::subscribe_response response = token->get_subscribe_response();
      for (mqtt::ReasonCode code : response.get_reason_codes()) {
        if (static_cast<int>(code) >= 0x80) {
          return Status::Error(Status::Code::kRefused, "subscription refused: " + topic);
        }
      }
    } catch (const mqtt::exception& e) {
      if (!client->is_connected()) return Status::Error(Status::Code::kNotConnected, e.what());
      return Status::Error(Status::Code::kRefused,
                           "subscription refused: " + topic + " (" + e.what() + ")");
    }
  }
  return Status::Ok();
}

Status PahoTransport::Publish(const std::string& topic, const std::string& payload, int qos) {
  ClientPtr client = Current();
  if (!client) return Status::Error(Status::Code::kNotConnected, "not connected");
  try {
    client->publish(topic, payload.data(), payload.size(), qos, /*retained=*/false);
    return Status::Ok();
  } catch (const mqtt::exception& e) {
    auto code = client->is_connected() ? Status::Code::kFailed : Status::Code::kNotConnected;
    return Status::Error(code, e.what());
  }
}

void PahoTransport::Disconnect(milliseconds timeout) {
  ClientPtr client;
  {
    std::lock_guard lock(mu_);
    client = std::move(client_);
    client_.reset();
  }
  if (!client) return;
  try {
    if (client->is_connected()) {
      client->disconnect(static_cast<int>(timeout.count()))->wait_for(timeout + milliseconds(500));
    }
  } catch (const mqtt::exception&) {
    // Already gone: nothing left to close.
  }
}

}  // namespace

std::unique_ptr<Transport> MakePahoTransport() { return std::make_unique<PahoTransport>(); }

}  // namespace chat::client
