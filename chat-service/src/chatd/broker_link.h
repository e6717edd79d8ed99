// chatd's MQTT connection to the broker (Paho MQTT C++, MQTT 3.1.1, no client
// persistence: the database is the record). Receives every device command on
// chat/up/+/+ and the plugin's presence on chat/sys/presence/+ in Paho's
// callback and hands them on at once; publishes fan-out batches to
// $CONTROL/chat/v1/fanout.
#pragma once

#include <mqtt/async_client.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "chat/token.h"

namespace chat {

struct BrokerLinkOptions {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string service_name = "chatd";  // username and client id become "svc:chatd"
  SigningKey key;                      // signs the service's own token
};

class BrokerLink {
 public:
  // Called on Paho's thread for every command; must return quickly.
  using CommandHandler = std::function<void(std::string topic, std::string payload)>;

  BrokerLink(BrokerLinkOptions options, CommandHandler on_command);
  ~BrokerLink();

  // Connects and subscribes, retrying with backoff until it succeeds or
  // `stop` becomes true. Returns whether it is connected. Afterwards Paho
  // reconnects by itself, with a fresh token each time.
  bool Start(const std::atomic<bool>& stop);
  // Queues one QoS 1 publish; buffered by Paho while disconnected.
  // Thread-safe. Returns false if it could not even be queued.
  bool PublishFanout(const std::string& payload);
  void Stop();

 private:
  std::string MintToken() const;
  void Subscribe();

  BrokerLinkOptions options_;
  CommandHandler on_command_;
  std::unique_ptr<mqtt::async_client> client_;
};

}  // namespace chat
