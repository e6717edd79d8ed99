// The broker plugin on a real mosquitto (docs/PROTOCOL.md sections 2-4 and
// "Fan-out"): who may connect, subscribe and publish, and what fan-out does.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "chat/clock.h"
#include "chat/database.h"
#include "chat/fanout_frames.h"
#include "chat/protocol.h"
#include "chat/support/base64url.h"
#include "chat/token.h"
#include "chat/topics.h"
#include "harness/mqtt_probe.h"
#include "harness/raw_mqtt_connection.h"
#include "harness/test_stack.h"

namespace chat::testing {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kWait{5000};
constexpr int kNotAuthorized = 5;
const std::string kFanout(kFanoutTopic);

// One fan-out item in the version 2 control format.
std::string Frame(std::vector<std::string> topics, std::string_view payload) {
  std::string out;
  AppendFanoutItem(out, topics, payload);
  return out;
}

// "topic: payload" lines, for failure messages.
std::string Describe(const std::vector<Received>& messages) {
  std::string out;
  for (const auto& m : messages) out += "\n  " + m.topic + ": " + m.payload.substr(0, 80);
  return out;
}

bool HasTopic(const std::vector<Received>& messages, const std::string& topic) {
  for (const auto& m : messages) {
    if (m.topic == topic) return true;
  }
  return false;
}

class AuthAclTest : public ::testing::Test {
 protected:
  explicit AuthAclTest(TestStack::Options options = {.start_chatd = false}) : stack_(options) {}

  // A device probe, connected; the test fails if the connection is refused.
  std::unique_ptr<MqttProbe> ConnectedDevice(const std::string& user, const std::string& device) {
    auto probe = std::make_unique<MqttProbe>(stack_.port(), user + ":" + device);
    EXPECT_EQ(probe->Connect(user, stack_.Provision(user, device)), 0);
    return probe;
  }

  // A service probe "svc:test" subscribed to every device's commands.
  std::unique_ptr<MqttProbe> ConnectedService() {
    auto probe = std::make_unique<MqttProbe>(stack_.port(), "svc:test");
    EXPECT_EQ(probe->Connect("svc:test", stack_.ServiceToken("test")), 0);
    EXPECT_TRUE(probe->Subscribe("chat/up/#"));
    return probe;
  }

  int ConnectRc(const std::string& client_id, const std::string& username,
                const std::string& password) {
    MqttProbe probe(stack_.port(), client_id);
    return probe.Connect(username, password);
  }

  // Waits (bounded) for a line in the broker log; mosquitto writes it a moment after acting.
  bool BrokerLogged(const std::string& text) {
    auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline) {
      if (stack_.BrokerLog().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return false;
  }

  std::string SignWithAnotherKey(const std::string& user, const std::string& device) {
    int64_t now = NowSeconds();
    return TokenSigner(SigningKey(32, 0x42))
        .Sign(TokenClaims{user, device, NewTokenId(), now, now + 3600, false});
  }

  TestStack stack_;
};

// --- connecting -----------------------------------------------------------

TEST_F(AuthAclTest, ProvisionedDeviceConnects) {
  MqttProbe alice(stack_.port(), "alice:phone");
  EXPECT_EQ(alice.Connect("alice", stack_.Provision("alice", "phone")), 0);
}

TEST_F(AuthAclTest, TokenSignedWithAnotherKeyIsRefused) {
  stack_.Provision("alice", "phone");
  EXPECT_EQ(ConnectRc("alice:phone", "alice", SignWithAnotherKey("alice", "phone")),
            kNotAuthorized);
  EXPECT_TRUE(BrokerLogged("chat-plugin: refused alice:phone: bad_signature"));
}

TEST_F(AuthAclTest, ExpiredTokenIsRefused) {
  stack_.Provision("alice", "phone");
  std::string expired = stack_.IssueToken("alice", "phone", -10);
  EXPECT_EQ(ConnectRc("alice:phone", "alice", expired), kNotAuthorized);
  EXPECT_TRUE(BrokerLogged("chat-plugin: refused alice:phone: expired"));
}

TEST_F(AuthAclTest, RevokedTokenIsRefusedAtTheNextConnect) {
  std::string token = stack_.Provision("alice", "phone");
  {
    MqttProbe alice(stack_.port(), "alice:phone");
    ASSERT_EQ(alice.Connect("alice", token), 0);
    alice.Disconnect();
  }
  stack_.RevokeDevice("alice", "phone");
  EXPECT_EQ(ConnectRc("alice:phone", "alice", token), kNotAuthorized);
  EXPECT_TRUE(BrokerLogged("chat-plugin: refused alice:phone: revoked"));
}

// The plugin reads the registry in one snapshot per pass of the broker's
// loop and ends it on the loop's tick: a connected, quiet broker must not
// keep an old snapshot open, or chatd could never copy the WAL home.
TEST_F(AuthAclTest, ConnectCheckLeavesNoReadSnapshotOpen) {
  auto alice = ConnectedDevice("alice", "phone");  // the plugin reads the registry
  std::this_thread::sleep_for(milliseconds(300));  // many passes of the broker's loop
  stack_.Provision("bob", "phone");                // commits after that read
  Database db = stack_.OpenDatabase();
  int log_frames = -1;
  int copied = -1;
  ASSERT_EQ(sqlite3_wal_checkpoint_v2(db.sqlite_handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                      &log_frames, &copied),
            SQLITE_OK);
  EXPECT_GT(log_frames, 0);
  EXPECT_EQ(copied, log_frames) << "a reader still holds frames the checkpoint cannot copy";
}

TEST_F(AuthAclTest, TokenForAnotherDeviceIsRefused) {
  stack_.Provision("alice", "phone");
  std::string laptop = stack_.Provision("alice", "laptop");
  EXPECT_EQ(ConnectRc("alice:phone", "alice", laptop), kNotAuthorized);
}

TEST_F(AuthAclTest, SomeoneElsesClientIdIsRefused) {
  std::string alice = stack_.Provision("alice", "phone");
  stack_.Provision("bob", "phone");
  EXPECT_EQ(ConnectRc("bob:phone", "alice", alice), kNotAuthorized);
  EXPECT_EQ(ConnectRc("bob:phone", "bob", alice), kNotAuthorized);
}

TEST_F(AuthAclTest, MissingPasswordIsRefused) {
  stack_.Provision("alice", "phone");
  EXPECT_EQ(ConnectRc("alice:phone", "alice", ""), kNotAuthorized);
  EXPECT_TRUE(BrokerLogged("chat-plugin: refused alice:phone: missing password"));
}

TEST_F(AuthAclTest, GarbagePasswordIsRefused) {
  stack_.Provision("alice", "phone");
  EXPECT_EQ(ConnectRc("alice:phone", "alice", "hunter2"), kNotAuthorized);
  EXPECT_EQ(ConnectRc("alice:phone", "alice", "a.b.c"), kNotAuthorized);
}

// The signature's last symbol has 2 bits outside any byte: setting one spells
// the same signature another way, which the broker refuses.
TEST_F(AuthAclTest, SignatureRespelledInItsUnusedBitsIsRefused) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string token = stack_.Provision("alice", "phone");
  token.back() = kAlphabet[kAlphabet.find(token.back()) | 1];
  EXPECT_EQ(ConnectRc("alice:phone", "alice", token), kNotAuthorized);
  EXPECT_TRUE(BrokerLogged("chat-plugin: refused alice:phone: bad_signature"));
}

// A header that names "alg" twice is refused before its signature is looked
// at, whichever of the two a reader would pick.
TEST_F(AuthAclTest, HeaderWithADuplicateMemberIsMalformed) {
  std::string token = stack_.Provision("alice", "phone");
  std::string forged =
      support::Base64UrlEncode(R"({"alg":"none","alg":"HS256"})") + token.substr(token.find('.'));
  EXPECT_EQ(ConnectRc("alice:phone", "alice", forged), kNotAuthorized);
  EXPECT_TRUE(BrokerLogged("chat-plugin: refused alice:phone: malformed"));
}

TEST_F(AuthAclTest, DeviceProvisionedAfterARefusalConnectsAtOnce) {
  int64_t now = NowSeconds();
  std::string unregistered =
      TokenSigner(stack_.key())
          .Sign(TokenClaims{"alice", "tablet", NewTokenId(), now, now + 3600, false});
  EXPECT_EQ(ConnectRc("alice:tablet", "alice", unregistered), kNotAuthorized);
  EXPECT_EQ(ConnectRc("alice:tablet", "alice", stack_.Provision("alice", "tablet")), 0);
}

TEST_F(AuthAclTest, ServiceConnectsWithAServiceToken) {
  EXPECT_EQ(ConnectRc("svc:test", "svc:test", stack_.ServiceToken("test")), 0);
}

TEST_F(AuthAclTest, ServiceTokenCannotConnectAsADevice) {
  stack_.Provision("alice", "phone");
  EXPECT_EQ(ConnectRc("alice:phone", "alice", stack_.ServiceToken("alice")), kNotAuthorized);
}

TEST_F(AuthAclTest, DeviceTokenCannotConnectAsAService) {
  std::string token = stack_.Provision("alice", "phone");
  EXPECT_EQ(ConnectRc("svc:alice", "svc:alice", token), kNotAuthorized);
}

TEST_F(AuthAclTest, TokensStayValidAcrossABrokerRestart) {
  std::string token = stack_.Provision("alice", "phone");
  EXPECT_EQ(ConnectRc("alice:phone", "alice", token), 0);
  stack_.RestartBroker();
  EXPECT_EQ(ConnectRc("alice:phone", "alice", token), 0);
}

// --- subscribing ----------------------------------------------------------

TEST_F(AuthAclTest, DeviceMaySubscribeToItsOwnInboxAndDevTopics) {
  auto alice = ConnectedDevice("alice", "phone");
  for (const char* filter : {"chat/inbox/alice/#", "chat/inbox/alice", "chat/inbox/alice/+",
                             "chat/inbox/alice/c1", "chat/dev/alice/phone"}) {
    EXPECT_TRUE(alice->Subscribe(filter)) << filter;
  }
}

TEST_F(AuthAclTest, DeviceMayNotSubscribeOutsideItsOwnTopics) {
  auto alice = ConnectedDevice("alice", "phone");
  for (const char* filter :
       {"#", "chat/inbox/+/#", "chat/inbox/bob/#", "chat/inbox/bob", "chat/dev/alice/laptop",
        "chat/up/#", "$share/g/chat/inbox/alice/#", "$SYS/#", "$CONTROL/#"}) {
    EXPECT_FALSE(alice->Subscribe(filter)) << filter;
  }
  EXPECT_TRUE(alice->Subscribe("chat/inbox/alice/#"));  // still connected and usable
}

TEST_F(AuthAclTest, ServiceMaySubscribeToUpTopicsButNotToInboxes) {
  auto service = ConnectedService();
  EXPECT_TRUE(service->Subscribe("chat/up/+/+"));
  EXPECT_FALSE(service->Subscribe("chat/inbox/#"));
  EXPECT_FALSE(service->Subscribe("#"));
}

// --- publishing -----------------------------------------------------------

TEST_F(AuthAclTest, DeviceCommandsReachTheService) {
  auto service = ConnectedService();
  auto alice = ConnectedDevice("alice", "phone");
  alice->Publish("chat/up/alice/phone", R"({"type":"send"})");
  auto got = service->WaitFor([](const auto& m) { return !m.empty(); }, kWait);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].topic, "chat/up/alice/phone");
  EXPECT_EQ(got[0].payload, R"({"type":"send"})");
}

TEST_F(AuthAclTest, PublishToAnotherUsersUpTopicHasNoEffect) {
  auto service = ConnectedService();
  auto alice = ConnectedDevice("alice", "phone");
  alice->Publish("chat/up/bob/phone", "forged");
  alice->Publish("chat/up/alice/laptop", "forged");
  alice->Publish("chat/up/alice/phone", "sentinel");  // same connection, so it arrives last
  auto got =
      service->WaitFor([](const auto& m) { return HasTopic(m, "chat/up/alice/phone"); }, kWait);
  ASSERT_EQ(got.size(), 1u) << Describe(got);
  EXPECT_EQ(got[0].payload, "sentinel");
}

TEST_F(AuthAclTest, DeviceCannotMakeAFanOutHappen) {
  auto service = ConnectedService();
  auto alice = ConnectedDevice("alice", "phone");
  ASSERT_TRUE(alice->Subscribe("chat/inbox/alice/#"));
  alice->Publish(kFanout, Frame({"chat/inbox/alice/c1"}, "forged"));
  service->Publish(kFanout, Frame({"chat/inbox/alice/done"}, "sentinel"));
  auto got =
      alice->WaitFor([](const auto& m) { return HasTopic(m, "chat/inbox/alice/done"); }, kWait);
  ASSERT_EQ(got.size(), 1u) << Describe(got);
  EXPECT_EQ(got[0].payload, "sentinel");
  EXPECT_TRUE(service->Messages().empty());
}

class AuthAclSmallLimitTest : public AuthAclTest {
 protected:
  AuthAclSmallLimitTest() : AuthAclTest({.start_chatd = false, .max_payload_bytes = 1024}) {}
};

TEST_F(AuthAclSmallLimitTest, OversizePublishIsDroppedAndTheDeviceIsTold) {
  auto service = ConnectedService();
  auto alice = ConnectedDevice("alice", "phone");
  ASSERT_TRUE(alice->Subscribe("chat/dev/alice/phone"));
  alice->Publish("chat/up/alice/phone", std::string(2000, 'x'));
  auto errors = alice->WaitFor([](const auto& m) { return !m.empty(); }, kWait);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].topic, "chat/dev/alice/phone");
  auto error = nlohmann::json::parse(errors[0].payload);
  EXPECT_EQ(error["type"], "error");
  EXPECT_EQ(error["code"], "payload_too_large");
  EXPECT_EQ(error["limit"], 1024);
  EXPECT_EQ(error["message"], "payload of 2000 bytes exceeds the limit of 1024 bytes");
  EXPECT_FALSE(error.contains("req_id"));

  alice->Publish("chat/up/alice/phone", std::string(1024, 'y'));  // at the limit: delivered
  auto got = service->WaitFor([](const auto& m) { return !m.empty(); }, kWait);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload.size(), 1024u);
}

TEST_F(AuthAclTest, APacketDeclaredLargerThanTheLimitClosesTheConnectionAtOnce) {
  std::string token = stack_.Provision("alice", "phone");
  RawMqttConnection device(stack_.port());
  ASSERT_EQ(device.Connect("alice:phone", "alice", token, 60), 0);
  // 256 MB announced, nothing of it sent: the broker must not wait for it.
  ASSERT_TRUE(device.SendPublishHeader("chat/up/alice/phone", 256u * 1024 * 1024));
  EXPECT_TRUE(device.WaitForClose(2000));
}

TEST_F(AuthAclTest, APacketAtTheLimitIsReadAndRefusedByThePluginNotTheBroker) {
  auto service = ConnectedService();
  std::string token = stack_.Provision("alice", "phone");
  RawMqttConnection device(stack_.port());
  ASSERT_EQ(device.Connect("alice:phone", "alice", token, 60), 0);
  const std::string topic = "chat/up/alice/phone";
  // Remaining length = topic field + payload = exactly the broker's limit less
  // the fixed header's 4 bytes (type byte and a 3-byte length).
  std::string payload(protocol::kMaxPacketBytes - 4 - 2 - topic.size(), 'x');
  ASSERT_TRUE(device.Publish(topic, payload, false));
  EXPECT_FALSE(device.WaitForClose(500));  // read whole, the connection stays
  EXPECT_TRUE(service->WaitFor([](const auto& m) { return !m.empty(); }, milliseconds(300))
                  .empty());  // over the device limit: dropped by the plugin
}

// --- fan-out ----------------------------------------------------------------

TEST_F(AuthAclTest, ServiceFanOutDeliversToTheListedTopics) {
  auto service = ConnectedService();
  auto alice = ConnectedDevice("alice", "phone");
  auto bob = ConnectedDevice("bob", "phone");
  ASSERT_TRUE(alice->Subscribe("chat/inbox/alice/#"));
  ASSERT_TRUE(alice->Subscribe("chat/dev/alice/phone"));
  ASSERT_TRUE(bob->Subscribe("chat/inbox/bob/#"));
  service->Publish(kFanout, Frame({"chat/inbox/bob/c1"}, R"({"type":"msg"})") +
                                Frame({"chat/inbox/alice/c1", "chat/dev/alice/phone"}, "ack"));
  auto to_bob = bob->WaitFor([](const auto& m) { return !m.empty(); }, kWait);
  ASSERT_EQ(to_bob.size(), 1u);
  EXPECT_EQ(to_bob[0].topic, "chat/inbox/bob/c1");
  EXPECT_EQ(to_bob[0].payload, R"({"type":"msg"})");
  auto to_alice = alice->WaitFor([](const auto& m) { return m.size() >= 2; }, kWait);
  ASSERT_EQ(to_alice.size(), 2u);
  EXPECT_TRUE(HasTopic(to_alice, "chat/inbox/alice/c1"));
  EXPECT_TRUE(HasTopic(to_alice, "chat/dev/alice/phone"));
  EXPECT_EQ(to_alice[0].payload, "ack");
}

TEST_F(AuthAclTest, FanOutTargetingANonChatTopicIsIgnored) {
  auto service = ConnectedService();
  auto alice = ConnectedDevice("alice", "phone");
  ASSERT_TRUE(alice->Subscribe("chat/inbox/alice/#"));
  service->Publish(kFanout, Frame({"chat/up/alice/phone"}, "forged"));
  service->Publish(kFanout, Frame({"chat/inbox/alice/c1", "other/topic"}, "x"));
  service->Publish(kFanout, "not frames");
  // The service is still connected and its next batch is delivered.
  service->Publish(kFanout, Frame({"chat/inbox/alice/done"}, "sentinel"));
  auto got =
      alice->WaitFor([](const auto& m) { return HasTopic(m, "chat/inbox/alice/done"); }, kWait);
  ASSERT_EQ(got.size(), 1u) << Describe(got);
  EXPECT_TRUE(service->Messages().empty());
  EXPECT_TRUE(
      BrokerLogged("chat-plugin: fan-out from svc:test: item 0 targets chat/up/alice/phone"));
  EXPECT_TRUE(BrokerLogged("chat-plugin: fan-out from svc:test: item 0: does not start with"));
}

}  // namespace
}  // namespace chat::testing
