// Presence on a real mosquitto (docs/PROTOCOL.md section 4, chat/sys/presence/{u}):
// the plugin publishes, not retained, every change of a user's number of
// connected devices, answers a service's snapshot request with the users
// online now, and only services may read it. chatd asks for that snapshot
// after every connect, so a restarted chatd or broker still knows who is online.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "chat/clock.h"
#include "chat/database.h"
#include "chat/token.h"
#include "harness/mqtt_probe.h"
#include "harness/raw_mqtt_connection.h"
#include "harness/test_device.h"
#include "harness/test_stack.h"
#include "store/account_store.h"

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
  EXPECT_EQ(events[0].size(), 6u) << events[0];  // user, online, devices, device, last_seen, boot
  EXPECT_EQ(events[0]["device"], "phone") << events[0];
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

// --- snapshot, not retained -------------------------------------------------------

TEST_F(PresenceTest, PresenceIsNotRetained) {
  auto service = Service();
  auto alice = Device("alice", "phone");
  auto bob = Device("bob", "phone");
  bob->Disconnect();
  WaitForPresence(*service, "alice", 1);
  WaitForPresence(*service, "bob", 2);

  auto late = Service("late");            // subscribed to chat/sys/presence/+
  auto carol = Device("carol", "phone");  // a live change, after any retained state
  auto got = late->WaitFor([](const auto& m) { return !PresenceOf(m, "carol").empty(); }, kWait);
  ASSERT_EQ(got.size(), 1u) << Describe(got);
  EXPECT_EQ(got[0].topic, "chat/sys/presence/carol");
}

TEST_F(PresenceTest, SnapshotAnswersEveryOnlineUserToTheRequesterOnly) {
  auto bystander = Service();
  ASSERT_TRUE(bystander->Subscribe("chat/sys/broker"));
  auto alice = Device("alice", "phone");
  auto alice_laptop = Device("alice", "laptop");
  auto bob = Device("bob", "phone");
  bob->Disconnect();
  auto carol = Device("carol", "phone");
  WaitForPresence(*bystander, "carol", 1);
  std::size_t bystander_had = bystander->Messages().size();

  MqttProbe requester(stack_.port(), "svc:late");  // subscribed to nothing at all
  ASSERT_EQ(requester.Connect("svc:late", stack_.ServiceToken("late")), 0);
  int64_t before = NowMillis();
  requester.Publish("$CONTROL/chat/v1/presence", R"({"after":""})");
  auto got = requester.WaitFor([](const auto& m) { return m.size() >= 3; }, kWait);
  ASSERT_EQ(got.size(), 3u) << Describe(got);
  json mark = json::parse(got[0].payload);
  EXPECT_EQ(got[0].topic, "chat/sys/broker");
  EXPECT_EQ(mark["snapshot"], json({{"after", ""}, {"users", 2}})) << mark;  // the only, last page
  EXPECT_TRUE(mark["boot"].is_number_integer()) << mark;
  ASSERT_EQ(got[1].topic, "chat/sys/presence/alice");
  ASSERT_EQ(got[2].topic, "chat/sys/presence/carol");  // in id order; bob is offline
  json alice_state = json::parse(got[1].payload);
  ExpectOnline(alice_state, "alice", 2, before, NowMillis());
  EXPECT_EQ(alice_state["boot"], mark["boot"]);

  auto dave = Device("dave", "phone");  // a live change: after it, nothing else came
  auto seen =
      bystander->WaitFor([](const auto& m) { return !PresenceOf(m, "dave").empty(); }, kWait);
  EXPECT_EQ(seen.size(), bystander_had + 1) << Describe(seen);
}

TEST_F(PresenceTest, SnapshotRequestsFromDevicesAreRefused) {
  auto service = Service();
  auto alice = Device("alice", "phone");
  WaitForPresence(*service, "alice", 1);
  alice->Publish("$CONTROL/chat/v1/presence", "{}");  // dropped by the ACL
  auto bob = Device("bob", "phone");
  WaitForPresence(*service, "bob", 1);
  for (const auto& m : alice->Messages()) ADD_FAILURE() << m.topic << ": " << m.payload;
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

  // Nothing was retained: retained messages come with each SUBACK, so
  // anything on these filters would arrive before the live sentinel.
  MqttProbe late(stack_.port(), "svc:late");
  ASSERT_EQ(late.Connect("svc:late", stack_.ServiceToken("late")), 0);
  ASSERT_TRUE(late.Subscribe("chat/sys/presence/bob"));
  ASSERT_TRUE(late.Subscribe("chat/sys/presence/alice"));
  ASSERT_TRUE(late.Subscribe("chat/up/alice/phone"));
  ASSERT_TRUE(alice.Publish("chat/up/alice/phone", "sentinel", false));
  auto retained = late.WaitFor([](const auto& m) { return !m.empty(); }, kWait);
  ASSERT_EQ(retained.size(), 1u) << Describe(retained);
  EXPECT_EQ(retained[0].payload, "sentinel");
}

// --- chatd's view -----------------------------------------------------------------

// Typing reaches only members with a connected device (query_service.cc), so
// it shows whether chatd knows `to` is online.
class ChatdPresenceTest : public ::testing::Test {
 protected:
  // The direct conversation of `from` and `to`, made by a first message.
  std::string DirectConversation(TestDevice& from, TestDevice& to) {
    json reply = from.Request(SendTo(to.user, "hello-" + to.user, "hi"), "r-hello-" + to.user);
    EXPECT_EQ(reply["type"], "accepted") << reply;
    EXPECT_EQ(to.Await("msg", 1).size(), 1u);
    return reply.value("conv", "");
  }

  // Sends typing until `to` gets it (chatd sheds a second one within 2 s).
  bool TypingArrives(TestDevice& from, TestDevice& to, const std::string& conv) {
    std::size_t had = to.Await("typing", 0, milliseconds(0)).size();
    for (int attempt = 0; attempt < 3; ++attempt) {
      from.Send({{"type", "typing"}, {"conv", conv}});
      if (to.Await("typing", had + 1, milliseconds(2100)).size() > had) return true;
    }
    return false;
  }

  TestStack stack_;
};

TEST_F(ChatdPresenceTest, RestartedChatdStillKnowsWhoIsOnline) {
  TestDevice alice(stack_, "alice", "phone");
  TestDevice bob(stack_, "bob", "phone");
  std::string conv = DirectConversation(alice, bob);
  stack_.StopChatd();
  stack_.StartChatd();  // knows nobody until its snapshot: bob's change was long ago
  EXPECT_TRUE(TypingArrives(alice, bob, conv));
}

// The new broker run loses every session (the harness runs it without
// persistence); the devices are back before chatd is, so chatd learns of
// them only from the snapshot it asks for after reconnecting.
TEST_F(ChatdPresenceTest, ChatdReconnectedToARestartedBrokerKnowsWhoIsOnline) {
  std::string conv;
  {
    TestDevice alice(stack_, "alice", "phone");
    TestDevice bob(stack_, "bob", "phone");
    conv = DirectConversation(alice, bob);
  }
  stack_.RestartBroker();
  TestDevice alice(stack_, "alice", "phone");
  TestDevice bob(stack_, "bob", "phone");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(40);
  while (stack_.ChatdLog().find("connected to broker", stack_.ChatdLog().find("lost the broker")) ==
             std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_TRUE(TypingArrives(alice, bob, conv)) << stack_.ChatdLog();
}

// More users than one snapshot page (500): chatd asks for every page.
TEST_F(ChatdPresenceTest, RestartedChatdReadsEveryPageOfTheSnapshot) {
  constexpr int kOthers = 500;  // a000..a499 sort before alice and zoe
  std::vector<std::pair<std::string, std::string>> tokens;
  {
    Database db = stack_.OpenDatabase();
    AccountStore accounts(db);
    Transaction transaction(db);
    for (int i = 0; i < kOthers; ++i) {
      char user[16];
      std::snprintf(user, sizeof user, "a%03d", i);
      accounts.AddUser(user, user);
      accounts.AddDevice(user, "phone", "test");
      IssuedToken issued =
          accounts.IssueToken(user, "phone", 3600, TokenSigner(stack_.key()), NowSeconds());
      ASSERT_EQ(issued.error, AccountError::kNone);
      tokens.emplace_back(user, issued.token);
    }
    transaction.Commit();
  }
  std::vector<std::unique_ptr<RawMqttConnection>> others;
  for (const auto& [user, token] : tokens) {
    others.push_back(std::make_unique<RawMqttConnection>(stack_.port()));
    ASSERT_EQ(others.back()->Connect(user + ":phone", user, token, 120), 0) << user;
  }
  TestDevice alice(stack_, "alice", "phone");
  TestDevice zoe(stack_, "zoe", "phone");
  std::string conv = DirectConversation(alice, zoe);
  stack_.StopChatd();
  stack_.StartChatd();
  EXPECT_TRUE(TypingArrives(alice, zoe, conv));  // zoe is on the second page
}

}  // namespace
}  // namespace chat::testing
