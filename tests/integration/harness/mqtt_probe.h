// A raw MQTT 3.1.1 test client on Paho C++: connects with whatever
// credentials a test chooses and records everything it receives.
#pragma once

#include <mqtt/async_client.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace chat::testing {

struct Received {
  std::string topic;
  std::string payload;
};

// One connection to 127.0.0.1:port with no client-side persistence. The test
// thread calls the methods; Paho's thread appends received messages, which
// Messages() and WaitFor() read under a lock. Every call waits (bounded) for
// the broker's answer. While one probe connects, the other connected probes
// of the process may send an UNSUBSCRIBE of an unused filter (see Connect).
class MqttProbe {
 public:
  MqttProbe(int port, std::string client_id);
  ~MqttProbe();
  MqttProbe(const MqttProbe&) = delete;
  MqttProbe& operator=(const MqttProbe&) = delete;

  // Returns the CONNACK return code: 0 accepted, 5 not authorized, ...; a
  // negative Paho error when no CONNACK arrived. An empty username or
  // password is left out of the CONNECT packet.
  int Connect(const std::string& username, const std::string& password, bool clean_session = true);
  // Subscribes at QoS 1; true when the broker granted it (SUBACK != 0x80).
  bool Subscribe(const std::string& filter);
  // Publishes (not retained) and waits for the PUBACK at QoS 1. A broker
  // that silently drops a refused publish still acknowledges it in 3.1.1.
  // Throws mqtt::exception when the client is not connected.
  void Publish(const std::string& topic, const std::string& payload, int qos = 1);
  // Publishes all of `payloads` at QoS 1 without waiting in between (they
  // share the socket as a busy device's would), then waits for every PUBACK.
  void PublishAll(const std::string& topic, const std::vector<std::string>& payloads);

  // Waits until `done(messages so far)` is true or `timeout` passes; returns
  // the messages received by then.
  std::vector<Received> WaitFor(std::function<bool(const std::vector<Received>&)> done,
                                std::chrono::milliseconds timeout);
  std::vector<Received> Messages();
  void Disconnect();
  // Whether the connection is up (Paho notices a closed socket at once).
  bool IsConnected() { return client_.is_connected(); }

 private:
  // Makes every other connected probe of the process elicit a packet from the
  // broker, which wakes Paho's socket poll (see Connect).
  void WakeOtherProbes();

  mqtt::async_client client_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Received> messages_;  // guarded by mutex_
};

}  // namespace chat::testing
