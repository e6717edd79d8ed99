// Presence on a real mosquitto (docs/PROTOCOL.md section 4, chat/sys/presence/{u}):
// the plugin publishes, retained, every change of a user's number of connected
// devices, and only services may read it.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "chat/clock.h"
#include "harness/mqtt_probe.h"
#include "harness/raw_mqtt_connection.h"
#include "harness/test_stack.h"

namespace chat::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr milliseconds kWait{5000};
// mosquitto 2.0.11 checks keepalives every 5 s and drops a client silent for
// 1.5 x its keepalive.
constexpr milliseconds kKeepaliveWait{15000};
constexpr int kNotAuthorized = 5;

std::string PresenceTopicOf(const std::string& user) { return "chat/sys/presence/" + user; }

// The parsed presence events of `user` among `messages`, in arrival order.
std::vector<json> PresenceOf(const std::vector<Received>& messages, const std::string& user) {
  std::vector<json> events;
  for (const auto& m : messages) {
    if (m.topic == PresenceTopicOf(user)) events.push_back(json::parse(m.payload));
  }
  return events;
}

// "topic: payload" lines, for failure messages.
std::string Describe(const std::vector<Received>& messages) {
  std::string out;
  for (const auto& m : messages) out += "\n  " + m.topic + ": " + m.payload.substr(0, 100);
  return out;
}

class PresenceTest : public ::testing::Test {
 protected:
  PresenceTest() : stack_({.start_chatd = false}) {}

  // A service probe "svc:{name}" following everyone's presence.
  std::unique_ptr<MqttProbe> Service(const std::string& name = "test") {
    auto probe = std::make_unique<MqttProbe>(stack_.port(), "svc:" + name);
    EXPECT_EQ(probe->Connect("svc:" + name, stack_.ServiceToken(name)), 0);
    EXPECT_TRUE(probe->Subscribe("chat/sys/presence/+"));
    return probe;
  }

  std::unique_ptr<MqttProbe> Device(const std::string& user, const std::string& device) {
    auto probe = std::make_unique<MqttProbe>(stack_.port(), user + ":" + device);
    EXPECT_EQ(probe->Connect(user, stack_.Provision(user, device)), 0);
    return probe;
  }

  // Waits until `probe` holds `count` presence events of `user`; returns them all.
  std::vector<json> WaitForPresence(MqttProbe& probe, const std::string& user, std::size_t count,
                                    milliseconds timeout = kWait) {
    auto got =
        probe.WaitFor([&](const auto& m) { return PresenceOf(m, user).size() >= count; }, timeout);
    return PresenceOf(got, user);
  }

  // Waits (bounded) for a line in the broker log; mosquitto writes it a moment after acting.
  bool BrokerLogged(const std::string& text, milliseconds timeout = kWait) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (stack_.BrokerLog().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return false;
  }

  TestStack stack_;
};

void ExpectOnline(const json& event, const std::string& user, int devices, int64_t after_ms,
                  int64_t before_ms) {
  EXPECT_EQ(event["user"], user) << event;
  EXPECT_EQ(event["online"], true) << event;
  EXPECT_EQ(event["devices"], devices) << event;
  EXPECT_GE(event["last_seen"].get<int64_t>(), after_ms) << event;
  EXPECT_LE(event["last_seen"].get<int64_t>(), before_ms) << event;
}

void ExpectOffline(const json& event, const std::string& user, int64_t after_ms,
                   int64_t before_ms) {
  EXPECT_EQ(event["user"], user) << event;
  EXPECT_EQ(event["online"], false) << event;
  EXPECT_EQ(event["devices"], 0) << event;
  EXPECT_GE(event["last_seen"].get<int64_t>(), after_ms) << event;
  EXPECT_LE(event["last_seen"].get<int64_t>(), before_ms) << event;
}

// --- online and offline -----------------------------------------------------

TEST_F(PresenceTest, FirstDeviceBringsTheUserOnline) {
  auto service = Service();
  int64_t before = NowMillis();
  auto phone = Device("alice", "phone");
  auto events = WaitForPresence(*service, "alice", 1);
  ASSERT_EQ(events.size(), 1u);
  ExpectOnline(events[0], "alice", 1, before, NowMillis());
  EXPECT_EQ(events[0].size(), 5u) << events[0];  // user, online, devices, last_seen, boot
  EXPECT_TRUE(events[0]["boot"].is_number_integer()) << events[0];
}

TEST_F(PresenceTest, BrokerRunIsAnnouncedRetainedForStalenessChecks) {
  auto phone = Device("alice", "phone");
  auto service = Service();
  ASSERT_TRUE(service->Subscribe("chat/sys/broker"));
  auto got = service->WaitFor(
      [](const auto& all) {
        for (const auto& r : all) {
          if (r.topic == "chat/sys/broker") return true;
        }
        return false;
      },
      std::chrono::seconds(5));
  bool announced = false;
  for (const auto& r : got) {
    if (r.topic == "chat/sys/broker") announced = r.payload.find("\"boot\":") != std::string::npos;
  }
  EXPECT_TRUE(announced);
}

TEST_F(PresenceTest, EachDeviceChangesTheDeviceCount) {
  auto service = Service();
  int64_t before = NowMillis();
  auto phone = Device("alice", "phone");
  auto laptop = Device("alice", "laptop");
  WaitForPresence(*service, "alice", 2);
  laptop->Disconnect();
  auto events = WaitForPresence(*service, "alice", 3);
  ASSERT_EQ(events.size(), 3u);
  ExpectOnline(events[0], "alice", 1, before, NowMillis());
  ExpectOnline(events[1], "alice", 2, before, NowMillis());
  ExpectOnline(events[2], "alice", 1, before, NowMillis());
}

TEST_F(PresenceTest, LastDeviceGoneGivesOfflineWithLastSeen) {
  auto service = Service();
  auto phone = Device("alice", "phone");
  auto laptop = Device("alice", "laptop");
  WaitForPresence(*service, "alice", 2);
  laptop->Disconnect();
  WaitForPresence(*service, "alice", 3);
  int64_t before = NowMillis();
  phone->Disconnect();
  auto events = WaitForPresence(*service, "alice", 4);
  ASSERT_EQ(events.size(), 4u);
  ExpectOffline(events[3], "alice", before, NowMillis());
}

TEST_F(PresenceTest, TakeoverOfTheSameClientIdIsNotAnOffline) {
  auto service = Service();
  std::string token = stack_.Provision("alice", "phone");
  MqttProbe first(stack_.port(), "alice:phone");
  ASSERT_EQ(first.Connect("alice", token), 0);
  WaitForPresence(*service, "alice", 1);

  MqttProbe second(stack_.port(), "alice:phone");
  ASSERT_EQ(second.Connect("alice", token), 0);
  EXPECT_TRUE(BrokerLogged("Client alice:phone already connected, closing old connection."));
  // The plugin publishes in order: whatever the takeover caused comes before
  // the event of the next device.
  auto laptop = Device("alice", "laptop");
  auto events = WaitForPresence(*service, "alice", 2);
  ASSERT_EQ(events.size(), 2u) << Describe(service->Messages());
  EXPECT_EQ(events[1]["online"], true);
  EXPECT_EQ(events[1]["devices"], 2);

  int64_t before = NowMillis();
  laptop->Disconnect();
  second.Disconnect();
  events = WaitForPresence(*service, "alice", 4);
  ASSERT_EQ(events.size(), 4u) << Describe(service->Messages());
  ExpectOnline(events[2], "alice", 1, before, NowMillis());
  ExpectOffline(events[3], "alice", before, NowMillis());
}

TEST_F(PresenceTest, ConnectionDroppedWithoutDisconnectGivesOffline) {
  auto service = Service();
  RawMqttConnection raw(stack_.port());
  ASSERT_EQ(raw.Connect("alice:phone", "alice", stack_.Provision("alice", "phone"), 60), 0);
  WaitForPresence(*service, "alice", 1);
  int64_t before = NowMillis();
  raw.Close();
  auto events = WaitForPresence(*service, "alice", 2);
  ASSERT_EQ(events.size(), 2u);
  ExpectOffline(events[1], "alice", before, NowMillis());
}

// The broker authenticates the CONNECT it has read, then finds the connection
// gone before (or while) answering it.
TEST_F(PresenceTest, ConnectionClosedRightAfterConnectingEndsOffline) {
  auto service = Service();
  RawMqttConnection raw(stack_.port());
  ASSERT_TRUE(raw.SendConnect("alice:phone", "alice", stack_.Provision("alice", "phone"), 60));
  raw.Close();
  auto events = WaitForPresence(*service, "alice", 2);
  ASSERT_EQ(events.size(), 2u) << Describe(service->Messages());
  EXPECT_EQ(events[0]["online"], true);
  EXPECT_EQ(events[1]["online"], false);
}

TEST_F(PresenceTest, KeepaliveTimeoutGivesOffline) {
  auto service = Service();
  RawMqttConnection raw(stack_.port());
  ASSERT_EQ(raw.Connect("alice:phone", "alice", stack_.Provision("alice", "phone"), 1), 0);
  int64_t connected = NowMillis();
  WaitForPresence(*service, "alice", 1);
  // The socket stays open and silent: only the keepalive can end it.
  auto events = WaitForPresence(*service, "alice", 2, kKeepaliveWait);
  ASSERT_EQ(events.size(), 2u);
  ExpectOffline(events[1], "alice", connected + 1500, NowMillis());
  EXPECT_TRUE(BrokerLogged("Client alice:phone has exceeded timeout"));
}

// --- retained state -----------------------------------------------------------

TEST_F(PresenceTest, ServiceSubscribingLaterGetsEveryonesCurrentState) {
  auto service = Service();
  auto alice = Device("alice", "phone");
  auto alice_laptop = Device("alice", "laptop");
  auto bob = Device("bob", "phone");
  bob->Disconnect();
  WaitForPresence(*service, "alice", 2);
  auto bob_events = WaitForPresence(*service, "bob", 2);
  ASSERT_EQ(bob_events.size(), 2u);

  auto late = Service("late");
  auto got = late->WaitFor(
      [](const auto& m) {
        return !PresenceOf(m, "alice").empty() && !PresenceOf(m, "bob").empty();
      },
      kWait);
  auto alice_state = PresenceOf(got, "alice");
  auto bob_state = PresenceOf(got, "bob");
  ASSERT_EQ(alice_state.size(), 1u) << Describe(got);
  ASSERT_EQ(bob_state.size(), 1u) << Describe(got);
  EXPECT_EQ(alice_state[0]["online"], true);
  EXPECT_EQ(alice_state[0]["devices"], 2);
  EXPECT_EQ(bob_state[0], bob_events[1]);  // offline, with the same last_seen
}

// --- who counts -------------------------------------------------------------

TEST_F(PresenceTest, RefusedAndServiceConnectionsAreNotPresence) {
  auto service = Service();
  stack_.Provision("alice", "phone");
  {
    MqttProbe refused(stack_.port(), "alice:phone");
    EXPECT_EQ(refused.Connect("alice", "not-a-token"), kNotAuthorized);
    MqttProbe other_service(stack_.port(), "svc:other");
    EXPECT_EQ(other_service.Connect("svc:other", stack_.ServiceToken("other")), 0);
  }
  auto bob = Device("bob", "phone");  // published after anything the others caused
  auto got = service->WaitFor([](const auto& m) { return !PresenceOf(m, "bob").empty(); }, kWait);
  ASSERT_EQ(got.size(), 1u) << Describe(got);
  EXPECT_EQ(got[0].topic, "chat/sys/presence/bob");
}

// --- access -------------------------------------------------------------------

TEST_F(PresenceTest, DevicesCannotSubscribeToPresence) {
  auto alice = Device("alice", "phone");
  for (const char* filter : {"chat/sys/#", "chat/sys/presence/+", "chat/sys/presence/alice",
                             "chat/sys/presence/bob", "chat/+/presence/alice"}) {
    EXPECT_FALSE(alice->Subscribe(filter)) << filter;
  }
  EXPECT_TRUE(alice->Subscribe("chat/inbox/alice/#"));  // still connected and usable
}

TEST_F(PresenceTest, DevicesCannotWritePresenceNorRetainAnything) {
  auto service = Service();
  ASSERT_TRUE(service->Subscribe("chat/up/#"));
  RawMqttConnection alice(stack_.port());
  ASSERT_EQ(alice.Connect("alice:phone", "alice", stack_.Provision("alice", "phone"), 60), 0);
  WaitForPresence(*service, "alice", 1);

  ASSERT_TRUE(alice.Publish("chat/sys/presence/bob", R"({"user":"bob","online":true})", true));
  ASSERT_TRUE(
      alice.Publish("chat/sys/presence/alice", R"({"user":"alice","online":false})", false));
  ASSERT_TRUE(alice.Publish("chat/up/alice/phone", "retained", true));
  ASSERT_TRUE(alice.Publish("chat/up/alice/phone", "sentinel", false));  // arrives last
  auto got = service->WaitFor(
      [](const auto& m) { return m.size() >= 2 && m.back().payload == "sentinel"; }, kWait);
  ASSERT_EQ(got.size(), 2u) << Describe(got);
  EXPECT_EQ(got[0].topic, "chat/sys/presence/alice");
  EXPECT_EQ(json::parse(got[0].payload)["online"], true);

  // Nothing was retained: retained messages come with each SUBACK, in order,
  // so anything on the first two filters would arrive before alice's state.
  MqttProbe late(stack_.port(), "svc:late");
  ASSERT_EQ(late.Connect("svc:late", stack_.ServiceToken("late")), 0);
  ASSERT_TRUE(late.Subscribe("chat/sys/presence/bob"));
  ASSERT_TRUE(late.Subscribe("chat/up/alice/phone"));
  ASSERT_TRUE(late.Subscribe("chat/sys/presence/alice"));
  auto retained = late.WaitFor([](const auto& m) { return !m.empty(); }, kWait);
  ASSERT_EQ(retained.size(), 1u) << Describe(retained);
  EXPECT_EQ(retained[0].topic, "chat/sys/presence/alice");
  EXPECT_EQ(json::parse(retained[0].payload)["online"], true);
}

}  // namespace
}  // namespace chat::testing
