// A device as an app would run it, on a raw MqttProbe: connected with a
// provisioned token, subscribed to its user's inbox and its own device topic,
// publishing JSON commands to its up topic. For tests that assert the wire.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/mqtt_probe.h"
#include "harness/test_stack.h"

namespace chat::testing {

class TestDevice {
 public:
  // Connects (clean_session false, like an app) and subscribes; EXPECTs success.
  TestDevice(TestStack& stack, const std::string& user, const std::string& device);

  void Send(const nlohmann::json& command);
  void SendRaw(const std::string& payload);
  // Sends all of `commands` back to back, then waits for their PUBACKs.
  void SendAll(const std::vector<nlohmann::json>& commands);
  // Events of `type` received so far, waiting (bounded) until there are
  // `count`. An event on a conversation topic gets the `conv` the topic
  // names, as the client library reads it (the payload leaves it out).
  std::vector<nlohmann::json> Await(const std::string& type, std::size_t count,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Sends a request with `req_id` and waits for the reply carrying it.
  nlohmann::json Request(nlohmann::json command, const std::string& req_id,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void Disconnect() { probe_.Disconnect(); }
  MqttProbe& probe() { return probe_; }

  const std::string user;
  const std::string device;

 private:
  MqttProbe probe_;
};

// {"type":"send","req_id":"r-<cmid>","to":to,"cmid":cmid,"body":body}
nlohmann::json SendTo(const std::string& to, const std::string& cmid, const std::string& body);
// The same to an existing conversation.
nlohmann::json SendIn(const std::string& conv, const std::string& cmid, const std::string& body);

}  // namespace chat::testing
