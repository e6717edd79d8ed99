// Per-client rate limits of the broker plugin on a real mosquitto and chatd
// (docs/PROTOCOL.md, section 9, "Rate limits"): the refusal an MQTT 5 and an
// MQTT 3.1.1 device see, `rate_limited` with its retry hint, the flooder's
// disconnection, a person's use untouched by the defaults, and a storm of
// bad connects that leaves valid devices alone. Small budgets come from the
// plugin's options, so every test is over in seconds.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "harness/raw_mqtt_connection.h"
#include "harness/test_device.h"
#include "harness/test_stack.h"

namespace chat::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kMqtt5 = 5;
constexpr int kNotAuthorized = 0x87;  // MQTT 5 PUBACK reason code
constexpr int kWaitMs = 5000;

// A device budget of 5 commands, one more a second: the sixth command in a
// row is refused and the retry hint is at most a second.
std::vector<std::string> SmallDeviceBudget() {
  return {"limit_device_messages_burst 5", "limit_device_messages_per_s 1"};
}

// The `rate_limited` events among `publishes`, parsed.
std::vector<json> RateLimitedEvents(const std::vector<RawPublish>& publishes) {
  std::vector<json> out;
  for (const RawPublish& p : publishes) {
    json event = json::parse(p.payload, nullptr, false);
    if (event.is_object() && event.value("code", "") == "rate_limited") out.push_back(event);
  }
  return out;
}

std::string UpTopic(const std::string& user, const std::string& device) {
  return "chat/up/" + user + "/" + device;
}

TEST(RateLimit, AnMqtt5CommandOverBudgetGetsPuback0x87AndRateLimitedWithARetryHint) {
  TestStack stack({.plugin_options = SmallDeviceBudget()});
  stack.Provision("bob", "phone");
  RawMqttConnection alice(stack.port(), {.protocol_level = kMqtt5});
  ASSERT_EQ(alice.Connect("alice:phone", "alice", stack.Provision("alice", "phone"), 60), 0);

  // Six at once: the broker reads them in one go, well within a refill.
  for (uint16_t id = 1; id <= 6; ++id) {
    ASSERT_TRUE(alice.PublishQos1(UpTopic("alice", "phone"),
                                  SendTo("bob", "m" + std::to_string(id), "hi").dump(), id));
  }
  for (uint16_t id = 1; id <= 5; ++id) EXPECT_EQ(alice.AwaitPuback(id, kWaitMs), 0) << id;
  EXPECT_EQ(alice.AwaitPuback(6, kWaitMs), kNotAuthorized);

  auto errors = RateLimitedEvents(alice.AwaitPublishes(1, kWaitMs));
  ASSERT_EQ(errors.size(), 1u) << stack.BrokerLog();
  EXPECT_EQ(errors[0]["type"], "error");
  EXPECT_GT(errors[0]["retry_after_ms"].get<int64_t>(), 0);
  EXPECT_LE(errors[0]["retry_after_ms"].get<int64_t>(), 1000);
  EXPECT_FALSE(errors[0].contains("req_id"));

  // Waiting as told is enough.
  std::this_thread::sleep_for(
      std::chrono::milliseconds(errors[0]["retry_after_ms"].get<int64_t>()));
  ASSERT_TRUE(alice.PublishQos1(UpTopic("alice", "phone"), SendTo("bob", "m6", "hi").dump(), 7));
  EXPECT_EQ(alice.AwaitPuback(7, kWaitMs), 0);
}

TEST(RateLimit, AnMqtt311CommandOverBudgetIsAcknowledgedDroppedAndTold) {
  TestStack stack({.plugin_options = SmallDeviceBudget()});
  TestDevice alice(stack, "alice", "phone");
  stack.Provision("bob", "phone");
  for (int i = 1; i <= 6; ++i) alice.Send(SendTo("bob", "m" + std::to_string(i), "hi"));

  auto errors = alice.Await("error", 1);
  ASSERT_EQ(errors.size(), 1u) << stack.BrokerLog();
  EXPECT_EQ(errors[0]["code"], "rate_limited");
  EXPECT_GT(errors[0]["retry_after_ms"].get<int64_t>(), 0);
  EXPECT_LE(errors[0]["retry_after_ms"].get<int64_t>(), 1000);
  auto accepted = alice.Await("accepted", 6, 1s);
  EXPECT_EQ(accepted.size(), 5u) << "the sixth was dropped";
  EXPECT_EQ(stack.CountRows("messages"), 5);

  std::this_thread::sleep_for(
      std::chrono::milliseconds(errors[0]["retry_after_ms"].get<int64_t>()));
  alice.Send(SendTo("bob", "m6", "hi"));
  EXPECT_EQ(alice.Await("accepted", 6).size(), 6u);
}

TEST(RateLimit, AFlooderIsToldOnceASecondAndDisconnected) {
  std::vector<std::string> options = SmallDeviceBudget();
  options.push_back("limit_flood_disconnect_refusals 100");
  TestStack stack({.plugin_options = options});
  stack.Provision("bob", "phone");
  RawMqttConnection alice(stack.port(), {.protocol_level = kMqtt5});
  ASSERT_EQ(alice.Connect("alice:phone", "alice", stack.Provision("alice", "phone"), 60), 0);

  auto start = Clock::now();
  for (int i = 0; i < 300; ++i) {
    if (!alice.Publish(UpTopic("alice", "phone"), SendTo("bob", "f", "flood").dump(), false)) break;
  }
  ASSERT_TRUE(alice.WaitForClose(kWaitMs)) << stack.BrokerLog();
  auto flood_s = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start).count();
  std::string log = stack.BrokerLog();
  EXPECT_NE(log.find("disconnecting alice:phone: it kept flooding (100 commands refused in a row"),
            std::string::npos)
      << log;
  // One `rate_limited` per second of flooding at most: the first refusal's.
  EXPECT_LE(RateLimitedEvents(alice.AwaitPublishes(3, 200)).size(),
            static_cast<std::size_t>(flood_s + 1));

  // Others are untouched, and the flooder may come back.
  TestDevice bob(stack, "bob", "phone");
  bob.Send(SendTo("alice", "b1", "still there?"));
  EXPECT_EQ(bob.Await("accepted", 1).size(), 1u);
  RawMqttConnection again(stack.port(), {.protocol_level = kMqtt5});
  EXPECT_EQ(again.Connect("alice:phone", "alice", stack.Provision("alice", "phone"), 60), 0);
}

TEST(RateLimit, APersonsUseIsNeverLimitedByTheDefaults) {
  TestStack stack;
  TestDevice alice(stack, "alice", "phone");
  TestDevice bob(stack, "bob", "phone");

  // A chat-cli burst of 50 sends.
  for (int i = 0; i < 50; ++i) alice.Send(SendTo("bob", "b" + std::to_string(i), "burst"));
  auto accepted = alice.Await("accepted", 50);
  ASSERT_EQ(accepted.size(), 50u);
  std::string conv = accepted[0]["conv"];

  // Then typing and sending at a brisk person's pace, with read receipts.
  for (int i = 0; i < 20; ++i) {
    alice.Send({{"type", "typing"}, {"conv", conv}});
    if (i % 2 == 0) alice.Send(SendIn(conv, "p" + std::to_string(i), "hello"));
    bob.Send({{"type", "read"}, {"conv", conv}, {"seq", 50 + i / 2}});
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(alice.Await("accepted", 60).size(), 60u);
  // And a catch-up after a reconnect.
  json sync = alice.Request({{"type", "sync"}, {"cursors", json::object()}}, "s1");
  EXPECT_EQ(sync.value("type", ""), "sync") << sync.dump();

  EXPECT_TRUE(alice.Await("error", 1, 100ms).empty()) << alice.Await("error", 1)[0].dump();
  EXPECT_TRUE(bob.Await("error", 1, 100ms).empty()) << bob.Await("error", 1)[0].dump();
}

TEST(RateLimit, AStormOfBadConnectsLeavesValidDevicesOnOtherAddressesAlone) {
  TestStack stack({.plugin_options = {"limit_address_connect_failures_burst 5",
                                      "limit_address_connect_failures_per_s 1"}});
  TestDevice bob(stack, "bob", "phone");
  std::string token = stack.Provision("alice", "phone");
  std::string forged = token.substr(0, token.size() - 4) + "AAAA";

  std::atomic<bool> stop{false};
  std::atomic<int> attempts{0}, refused{0};
  auto storm_start = Clock::now();
  std::thread storm([&] {
    while (!stop) {
      try {
        RawMqttConnection attacker(stack.port(), {.source_address = "127.0.0.2"});
        ++attempts;
        if (attacker.Connect("alice:phone", "alice", forged, 60) == 5) ++refused;
      } catch (const std::exception&) {
        ++attempts;  // counted as not refused: fails the test below
      }
    }
  });
  std::this_thread::sleep_for(300ms);

  // The valid device connects from 127.0.0.1 and is served promptly.
  auto start = Clock::now();
  {
    TestDevice alice(stack, "alice", "phone");
    alice.Send(SendTo("bob", "a1", "during the storm"));
    EXPECT_EQ(alice.Await("accepted", 1).size(), 1u);
  }
  auto took = Clock::now() - start;
  std::this_thread::sleep_for(300ms);
  stop = true;
  storm.join();
  auto storm_s =
      std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - storm_start).count();

  EXPECT_LT(took, 2s);
  EXPECT_EQ(bob.Await("msg", 1).size(), 1u);
  EXPECT_GT(attempts.load(), 20);
  EXPECT_EQ(refused.load(), attempts.load()) << "every forged connect is refused";
  // After the first few, the storm was refused before any verification.
  std::string log = stack.BrokerLog();
  std::size_t verified = 0, throttled = 0;
  for (std::size_t at = log.find("refused alice:phone: "); at != std::string::npos;
       at = log.find("refused alice:phone: ", at + 1)) {
    (log.compare(at + 21, 17, "too many connects") == 0 ? throttled : verified) += 1;
  }
  EXPECT_LE(verified, static_cast<std::size_t>(5 + storm_s + 1)) << "5 at once, 1 a second after";
  EXPECT_GT(throttled, 0u);
  EXPECT_GE(throttled + verified, static_cast<std::size_t>(refused.load()));
}

}  // namespace
}  // namespace chat::testing
