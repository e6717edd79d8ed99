// This is a public header of the client library: it includes only public headers.
// The MQTT connection under ChatClient, behind a small interface so that the
// client's logic is tested without a broker.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chat/client/status.h"

namespace chat::client {

// What to connect with (MQTT 3.1.1).
struct ConnectParams {
  std::string host;
  int port = 1883;
  std::string client_id;
  std::string username;
  std::string password;  // not sent when empty
  bool clean_session = false;
  int keepalive_s = 30;
};

// The outcome of a connection attempt: `status` says whether it worked and,
// if not, why in words; `outcome` and `connack_code` say it for programs.
struct ConnectResult {
  enum class Outcome {
    kConnected,
    kRefused,              // the broker answered CONNACK with a non-zero code
    kUnreachable,          // no MQTT connection could be made (TCP or protocol failure)
    kTimedOut,             // no CONNACK (or SUBACK) in time
    kSubscriptionRefused,  // connected, but the broker refused a subscription
    kInvalidArgument,      // the options cannot make a valid connection (bad ids)
  };
  Status status;
  Outcome outcome = Outcome::kConnected;
  int connack_code = 0;  // the CONNACK return code when kRefused (1..5)
  // The broker accepted the connection (CONNACK 0) before the attempt failed:
  // the broker is up, the link is what failed.
  bool reached_broker = false;

  bool ok() const { return status.ok(); }
  static ConnectResult Connected() { return {}; }
  // A failure; `status` gets the Status::Code matching `outcome`.
  static ConnectResult Failed(Outcome outcome, std::string message, int connack_code = 0);
};

// The meaning of an MQTT 3.1.1 CONNACK return code, e.g. 5 -> "not authorized".
std::string_view ConnackMeaning(int code);

// One MQTT connection at a time. Handlers are installed before Connect and
// run on the transport's receive thread: they must return quickly and never
// call back into the transport. The lost handler runs only for a connection
// that ends without Disconnect. Connect, Subscribe and Disconnect are called
// by one thread at a time (the owner serializes them); Publish and
// IsConnected may be called from any thread at any time, also while another
// thread connects (they then see no connection).
class Transport {
 public:
  using MessageHandler = std::function<void(std::string topic, std::string payload)>;
  using LostHandler = std::function<void(std::string cause)>;

  virtual ~Transport() = default;

  virtual void SetHandlers(MessageHandler on_message, LostHandler on_lost) = 0;
  virtual ConnectResult Connect(const ConnectParams& params, std::chrono::milliseconds timeout) = 0;
  // Subscribes to every topic at `qos`; fails if the broker refuses any of them.
  virtual Status Subscribe(const std::vector<std::string>& topics, int qos,
                           std::chrono::milliseconds timeout) = 0;
  // Hands a message to the MQTT library; returns without waiting for PUBACK
  // (a PUBACK proves nothing to the chat protocol). kNotConnected when there
  // is no connection.
  virtual Status Publish(const std::string& topic, const std::string& payload, int qos) = 0;
  // Closes the connection, letting messages in flight finish for up to `timeout`.
  virtual void Disconnect(std::chrono::milliseconds timeout) = 0;
  virtual bool IsConnected() const = 0;
};

// The Paho MQTT C++ implementation: MQTT 3.1.1, no Paho persistence, no
// automatic reconnect (ChatClient reconnects itself).
std::unique_ptr<Transport> MakePahoTransport();

}  // namespace chat::client
