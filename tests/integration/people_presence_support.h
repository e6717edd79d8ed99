// What the presence tests share (people_presence_test.cc,
// people_presence_faults_test.cc): raw devices on a real stack, and the
// `presence` events they got.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "harness/mqtt_probe.h"
#include "harness/test_stack.h"

namespace chat::testing {

class PresenceFixture : public ::testing::Test {
 protected:
  explicit PresenceFixture(TestStack::Options options = {}) : stack_(std::move(options)) {}

  static constexpr std::chrono::milliseconds kWait{5000};

  // A connected device of `user`, subscribed as the client library is.
  std::unique_ptr<MqttProbe> Device(const std::string& user, const std::string& device) {
    auto probe = std::make_unique<MqttProbe>(stack_.port(), user + ":" + device);
    EXPECT_EQ(probe->Connect(user, stack_.Provision(user, device)), 0);
    EXPECT_TRUE(probe->Subscribe("chat/dev/" + user + "/" + device));
    EXPECT_TRUE(probe->Subscribe("chat/inbox/" + user + "/#"));
    return probe;
  }

  // `from`'s phone sends `to` a message, so that they share a conversation,
  // and waits for its `accepted`.
  void Converse(MqttProbe& from, const std::string& from_user, const std::string& to) {
    from.Publish(
        "chat/up/" + from_user + "/phone",
        nlohmann::json{{"type", "send"}, {"to", to}, {"cmid", "hello-" + to}, {"body", "hi"}}
            .dump());
    auto got = from.WaitFor(
        [](const auto& m) {
          for (const auto& r : m)
            if (r.payload.find(R"("type":"accepted")") != std::string::npos) return true;
          return false;
        },
        kWait);
    ASSERT_FALSE(got.empty());
  }

  // `user`'s phone watches `users`, with req_id "w1".
  void Watch(MqttProbe& probe, const std::string& user, const std::vector<std::string>& users) {
    probe.Publish(
        "chat/up/" + user + "/phone",
        nlohmann::json{{"type", "presence.watch"}, {"req_id", "w1"}, {"users", users}}.dump());
  }

  // The `presence` events among `messages`, in order.
  static std::vector<nlohmann::json> PresenceEvents(const std::vector<Received>& messages) {
    std::vector<nlohmann::json> out;
    for (const auto& m : messages) {
      nlohmann::json e = nlohmann::json::parse(m.payload, nullptr, false);
      if (e.is_object() && e.value("type", "") == "presence") out.push_back(e);
    }
    return out;
  }

  // Waits until `probe` has `count` presence events; returns them all.
  static std::vector<nlohmann::json> WaitForPresence(MqttProbe& probe, std::size_t count,
                                                     std::chrono::milliseconds timeout = kWait) {
    return PresenceEvents(
        probe.WaitFor([&](const auto& m) { return PresenceEvents(m).size() >= count; }, timeout));
  }

  TestStack stack_;
};

}  // namespace chat::testing
