// A broker cluster on loopback: three mosquitto nodes with the plugin over
// one database, and chatd connected to every node (`broker_nodes`,
// docs/ARCHITECTURE.md "Broker nodes"). Devices on different nodes chat 1:1
// and in a group, presence spans the nodes, and a node killed while
// messages flow costs no message and shows none twice.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

#include "chat/client/chat_client.h"
#include "chat/clock.h"
#include "harness/client_devices.h"
#include "harness/mqtt_probe.h"
#include "harness/test_stack.h"
#include "store/account_store.h"

namespace chat::testing {
namespace {

using namespace std::chrono_literals;
using client::ChatClient;
using client::Event;
using client::SendRequest;
using nlohmann::json;

TestStack::Options ThreeNodes(Database::Engine engine = Database::Engine::kSqlite) {
  TestStack::Options options;
  options.broker_nodes = 3;
  options.engine = engine;
  // The node-kill test sends 200 messages a second, far over a person's
  // rate: refused sends would be resent after later ones were accepted.
  options.plugin_options = {"limits false"};
  return options;
}

// `user`'s phone, on broker node `node`.
std::unique_ptr<ChatClient> PhoneOn(TestStack& stack, std::size_t node, const std::string& user) {
  return ConnectedDevice(DeviceOptions(stack, user, "phone", stack.node_port(node)));
}

// The bodies of `client`'s messages in `conv` (any conversation when empty;
// system messages left out), in the order the app got them, until it holds `count` or `limit`
// passes.
std::vector<std::string> Bodies(ChatClient& client, const std::string& conv, std::size_t count,
                                std::chrono::seconds limit = 20s) {
  std::vector<std::string> bodies;
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (bodies.size() < count && std::chrono::steady_clock::now() < deadline) {
    std::optional<Event> event = client.NextEvent(200ms);
    if (event && event->Is("msg") && !event->IsSystem() && (conv.empty() || event->conv == conv)) {
      bodies.push_back(event->body);
    }
  }
  return bodies;
}

std::vector<std::string> Numbered(const std::string& prefix, int count) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

// What nodes on several machines need: the same on a shared PostgreSQL
// database (every node's plugin reads it) as on one SQLite file.
class ClusterOnEngine : public ::testing::TestWithParam<Database::Engine> {};
INSTANTIATE_ON_BROKER_ENGINES(ClusterOnEngine);

TEST_P(ClusterOnEngine, DevicesOnDifferentNodesChatOneToOneAndInAGroup) {
  TestStack stack(ThreeNodes(GetParam()));
  auto alice = PhoneOn(stack, 0, "alice");
  auto bob = PhoneOn(stack, 1, "bob");
  auto carol = PhoneOn(stack, 2, "carol");

  for (const std::string& body : Numbered("direct-", 20)) {
    ASSERT_TRUE(alice->Send({.to = "bob", .body = body}).status.ok());
  }
  EXPECT_EQ(Bodies(*bob, "", 20), Numbered("direct-", 20)) << "each once, in order";
  std::vector<client::ConversationSummary> convs = bob->Conversations();
  ASSERT_EQ(convs.size(), 1u);
  ASSERT_TRUE(bob->MarkRead(convs[0].conv, 20).ok());
  bool read_seen = false;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!read_seen && std::chrono::steady_clock::now() < deadline) {
    std::optional<Event> event = alice->NextEvent(200ms);
    read_seen = event && event->Is("receipt") && event->user == "bob" && event->read == 20;
  }
  EXPECT_TRUE(read_seen) << "bob's read receipt, sent on node 1, reaches alice on node 0";

  client::RequestResult created = alice->CreateGroup("team", {"bob", "carol"});
  ASSERT_TRUE(created.status.ok());
  std::optional<Event> conv = alice->WaitForReply(created.req_id, 10s);
  ASSERT_TRUE(conv && !conv->conv.empty()) << "no reply to group.create";
  for (const std::string& body : Numbered("group-", 10)) {
    ASSERT_TRUE(carol->Send({.conv = conv->conv, .body = body}).status.ok());
  }
  EXPECT_EQ(Bodies(*alice, conv->conv, 10), Numbered("group-", 10));
  EXPECT_EQ(Bodies(*bob, conv->conv, 10), Numbered("group-", 10));
}

TEST_P(ClusterOnEngine, ARevokedTokenIsRefusedOnEveryNode) {
  TestStack stack(ThreeNodes(GetParam()));
  std::string token = stack.Provision("bob", "phone");
  stack.RevokeDevice("bob", "phone");
  std::this_thread::sleep_for(100ms);  // past the registry's 50 ms snapshot of each node
  for (std::size_t node = 0; node < 3; ++node) {
    MqttProbe probe(stack.node_port(node), "bob:phone");
    EXPECT_EQ(probe.Connect("bob", token), 5) << "node " << node << ": not authorized";
  }
}

// The `presence` events among `messages`.
std::vector<json> PresenceEvents(const std::vector<Received>& messages) {
  std::vector<json> out;
  for (const auto& m : messages) {
    json e = json::parse(m.payload, nullptr, false);
    if (e.is_object() && e.value("type", "") == "presence") out.push_back(e);
  }
  return out;
}

std::vector<json> PresenceEvents(MqttProbe& probe) { return PresenceEvents(probe.Messages()); }

std::vector<json> WaitForPresence(MqttProbe& probe, std::size_t count) {
  return PresenceEvents(
      probe.WaitFor([&](const auto& m) { return PresenceEvents(m).size() >= count; }, 5000ms));
}

// A raw device of `user` on node `node`, subscribed as the client library is.
std::unique_ptr<MqttProbe> RawDevice(TestStack& stack, std::size_t node, const std::string& user,
                                     const std::string& device) {
  auto probe = std::make_unique<MqttProbe>(stack.node_port(node), user + ":" + device);
  EXPECT_EQ(probe->Connect(user, stack.Provision(user, device)), 0);
  EXPECT_TRUE(probe->Subscribe("chat/dev/" + user + "/" + device));
  EXPECT_TRUE(probe->Subscribe("chat/inbox/" + user + "/#"));
  return probe;
}

// Waits up to `limit` for `probe`'s connection to be closed by the broker.
bool ClosedWithin(MqttProbe& probe, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (probe.IsConnected() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  return !probe.IsConnected();
}

// A token revoked while its device is connected: the open connection is cut
// on the node it is on (chatd asks every node), and a reconnect is refused.
TEST_P(ClusterOnEngine, ARevokedDeviceIsDisconnectedWhereverItIsConnected) {
  TestStack stack(ThreeNodes(GetParam()));
  auto bob = RawDevice(stack, 2, "bob", "phone");
  auto carol = RawDevice(stack, 1, "carol", "phone");
  std::string token = stack.Provision("bob", "phone");
  stack.RevokeDevice("bob", "phone");
  EXPECT_TRUE(ClosedWithin(*bob, 3s)) << "bob is still connected to node 2";
  MqttProbe again(stack.node_port(2), "bob:phone");
  EXPECT_EQ(again.Connect("bob", token), 5) << "not authorized";
  EXPECT_TRUE(carol->IsConnected()) << "only bob's access was cut";
}

// An operator's kick: the device is disconnected wherever it is and may
// connect again at once (its token is still good).
TEST_P(ClusterOnEngine, AKickedDeviceIsDisconnectedAndMayComeBack) {
  TestStack stack(ThreeNodes(GetParam()));
  auto bob = RawDevice(stack, 1, "bob", "phone");
  {
    Database db = stack.OpenDatabase();
    ASSERT_EQ(AccountStore(db).KickDevice("bob", "phone", NowSeconds()), AccountError::kNone);
  }
  EXPECT_TRUE(ClosedWithin(*bob, 3s)) << "bob is still connected to node 1";
  MqttProbe again(stack.node_port(0), "bob:phone");
  EXPECT_EQ(again.Connect("bob", stack.Provision("bob", "phone")), 0);
}

// A banned user's devices on every node are disconnected and refused; an
// unban lets them back.
TEST_P(ClusterOnEngine, ABannedUsersDevicesAreDisconnectedOnEveryNodeAndAnUnbanLetsThemBack) {
  TestStack stack(ThreeNodes(GetParam()));
  auto phone = RawDevice(stack, 0, "mallory", "phone");
  auto laptop = RawDevice(stack, 2, "mallory", "laptop");
  auto bob = RawDevice(stack, 2, "bob", "phone");
  {
    Database db = stack.OpenDatabase();
    ASSERT_EQ(AccountStore(db).BanUser("mallory", NowSeconds()), AccountError::kNone);
  }
  EXPECT_TRUE(ClosedWithin(*phone, 3s)) << "the phone on node 0";
  EXPECT_TRUE(ClosedWithin(*laptop, 3s)) << "the laptop on node 2";
  EXPECT_TRUE(bob->IsConnected());
  std::string token = stack.Provision("mallory", "phone");
  std::this_thread::sleep_for(100ms);  // past the registry's 50 ms snapshot
  MqttProbe refused(stack.node_port(1), "mallory:phone");
  EXPECT_EQ(refused.Connect("mallory", token), 5);
  {
    Database db = stack.OpenDatabase();
    ASSERT_EQ(AccountStore(db).UnbanUser("mallory"), AccountError::kNone);
  }
  std::this_thread::sleep_for(100ms);
  MqttProbe back(stack.node_port(1), "mallory:phone");
  EXPECT_EQ(back.Connect("mallory", token), 0);
}

// alice's phone writes to bob and, once that is accepted (they share a
// conversation, so she may see him), watches him.
void WatchAfterConversing(MqttProbe& alice) {
  auto has_accepted = [](const std::vector<Received>& messages) {
    return std::any_of(messages.begin(), messages.end(), [](const Received& m) {
      return m.payload.find(R"("type":"accepted")") != std::string::npos;
    });
  };
  alice.Publish("chat/up/alice/phone",
                json{{"type", "send"}, {"to", "bob"}, {"cmid", "hi"}, {"body", "hi"}}.dump());
  ASSERT_TRUE(has_accepted(alice.WaitFor(has_accepted, 5000ms)))
      << "alice's message was not accepted";
  alice.Publish("chat/up/alice/phone",
                json{{"type", "presence.watch"}, {"req_id", "w1"}, {"users", {"bob"}}}.dump());
}

// alice watches bob (after conversing with him) and is told he is online.
void WatchAndSeeOnline(MqttProbe& alice) {
  WatchAfterConversing(alice);
  std::vector<json> seen = WaitForPresence(alice, 1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["users"][0]["state"], "online");
}

TEST(Cluster, AUserIsOnlineUntilTheLastDeviceOnAnyNodeLeaves) {
  TestStack stack(ThreeNodes());
  auto alice = RawDevice(stack, 0, "alice", "phone");
  auto phone = RawDevice(stack, 1, "bob", "phone");
  auto laptop = RawDevice(stack, 2, "bob", "laptop");
  ASSERT_NO_FATAL_FAILURE(WatchAndSeeOnline(*alice));

  phone->Disconnect();                  // the laptop on another node stays
  std::this_thread::sleep_for(1500ms);  // three times the test stack's grace
  EXPECT_EQ(PresenceEvents(*alice).size(), 1u) << json(PresenceEvents(*alice)).dump();

  laptop->Disconnect();
  std::vector<json> seen = WaitForPresence(*alice, 2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1]["users"][0]["state"], "offline");
}

// A node that dies takes its users' presence with it: chatd's connection to
// it drops (NodeLost), and a user who does not come back elsewhere is
// offline for watchers once the grace is over.
TEST(Cluster, TheUsersOfADeadNodeGoOfflineAfterTheGrace) {
  TestStack stack(ThreeNodes());
  auto alice = RawDevice(stack, 0, "alice", "phone");
  auto bob = RawDevice(stack, 1, "bob", "phone");
  ASSERT_NO_FATAL_FAILURE(WatchAndSeeOnline(*alice));

  stack.StopBrokerNode(1, SIGKILL);  // bob's node, not restarted
  std::vector<json> seen = WaitForPresence(*alice, 2);
  ASSERT_EQ(seen.size(), 2u) << "no change after bob's node died";
  EXPECT_EQ(seen[1]["users"][0]["state"], "offline");
}

// A kick request the plugin cannot use is logged and ignored: nobody is
// disconnected.
TEST(Cluster, AMalformedKickRequestDisconnectsNobody) {
  TestStack stack(ThreeNodes());
  auto bob = RawDevice(stack, 0, "bob", "phone");
  MqttProbe service(stack.node_port(0), "svc:ops");
  ASSERT_EQ(service.Connect("svc:ops", stack.ServiceToken("ops")), 0);
  for (const char* bad : {"not json", R"({"user":"bob"})", R"({"user":"bob","device":"a/b"})"}) {
    service.Publish("$CONTROL/chat/v1/kick", bad);
  }
  std::this_thread::sleep_for(500ms);  // several of the broker's loop passes
  EXPECT_TRUE(bob->IsConnected());
  std::string log = stack.BrokerLog(0);
  std::size_t ignored = 0;
  for (std::size_t at = log.find("kick request from svc:ops ignored"); at != std::string::npos;
       at = log.find("kick request from svc:ops ignored", at + 1)) {
    ++ignored;
  }
  EXPECT_EQ(ignored, 3u) << log;
}

// No cross-node takeover exists in MQTT: a phone that reconnects to another
// node while its old connection lingers (a stale load-balancer entry, a
// bypassed balancer) would be connected twice. chatd sees the device come on
// the second node while the first still reports it, and has the first node
// disconnect it.
TEST(Cluster, TheSameClientIdOnTwoNodesKeepsOnlyTheNewerConnectionWithinASecond) {
  TestStack stack(ThreeNodes());
  std::string token = stack.Provision("bob", "phone");
  MqttProbe older(stack.node_port(1), "bob:phone");
  ASSERT_EQ(older.Connect("bob", token), 0);
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (stack.ChatdLog().find("presence: bob/phone came") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  MqttProbe newer(stack.node_port(2), "bob:phone");
  ASSERT_EQ(newer.Connect("bob", token), 0);
  auto connected = std::chrono::steady_clock::now();
  ClosedWithin(older, 5s);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - connected);
  EXPECT_FALSE(older.IsConnected()) << "the older connection, on node 1, is still up";
  EXPECT_LT(took, 1000ms) << "it took " << took.count() << " ms";
  std::this_thread::sleep_for(500ms);
  EXPECT_TRUE(newer.IsConnected()) << "the newer connection, on node 2, must stay";
  EXPECT_NE(stack.BrokerLog(1).find("disconnecting bob:phone at the request of svc:chatd"),
            std::string::npos);
  EXPECT_EQ(stack.BrokerLog(2).find("disconnecting bob:phone"), std::string::npos);
}

TEST(Cluster, ANodeKilledWhileMessagesFlowLosesNoneAndShowsNoneTwice) {
  constexpr int kMessages = 300;
  TestStack stack(ThreeNodes());
  auto alice = PhoneOn(stack, 0, "alice");
  auto bob = PhoneOn(stack, 1, "bob");

  std::thread sender([&] {
    for (const std::string& body : Numbered("m", kMessages)) {
      alice->Send({.to = "bob", .body = body});
      std::this_thread::sleep_for(5ms);
    }
  });
  std::vector<std::string> got = Bodies(*bob, "", 50);
  stack.StopBrokerNode(1, SIGKILL);  // bob's node, mid-stream
  std::this_thread::sleep_for(1s);
  stack.StartBrokerNode(1);  // bob's client reconnects to it and syncs
  sender.join();
  for (std::string& body : Bodies(*bob, "", kMessages - got.size(), 30s)) {
    got.push_back(std::move(body));
  }
  std::vector<std::string> want = Numbered("m", kMessages);
  auto [first_got, first_want] = std::mismatch(got.begin(), got.end(), want.begin(), want.end());
  EXPECT_EQ(got, want) << "every message once, in order; " << got.size() << " got, the first "
                       << "difference at " << (first_got - got.begin()) << ": "
                       << (first_got == got.end() ? "(none)" : *first_got) << " for "
                       << (first_want == want.end() ? "(none)" : *first_want);
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!alice->PendingSends().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(alice->PendingSends().empty()) << "every send accepted";
  EXPECT_NE(stack.ChatdLog().find("lost broker 127.0.0.1:" + std::to_string(stack.node_port(1))),
            std::string::npos);
}

// The node a device's connection landed on, from the nodes' logs (-1: none).
int NodeOf(TestStack& stack, const std::string& client_id, int nodes) {
  for (int node = 0; node < nodes; ++node) {
    if (stack.BrokerLog(node).find(" as " + client_id + " ") != std::string::npos) return node;
  }
  return -1;
}

// Through HAProxy, as devices connect in production: bob's node is killed
// and not restarted; his client reconnects through HAProxy to another node,
// catches up, and a contact watching him sees no offline in between (he is
// back within the grace period).
TEST(Cluster, ThroughHaproxyAKilledNodesDevicesMoveOnWithoutLossOrAnOfflineBlip) {
  if (!TestStack::HasHaproxy()) GTEST_SKIP() << "haproxy is not installed";
  constexpr int kMessages = 200;
  TestStack::Options options = ThreeNodes();
  options.haproxy = true;
  options.presence_grace_ms = 5000;
  TestStack stack(options);
  auto bob = ConnectedDevice(DeviceOptions(stack, "bob", "phone", stack.haproxy_port()));
  int bob_node = NodeOf(stack, "bob:phone", 3);
  ASSERT_GE(bob_node, 0) << "no node shows bob's phone";
  int alice_node = (bob_node + 1) % 3;  // directly: alice's node stays up
  auto alice = PhoneOn(stack, alice_node, "alice");

  ASSERT_TRUE(alice->Send({.to = "bob", .body = "m0"}).status.ok());
  std::vector<std::string> got = Bodies(*bob, "", 1);
  client::RequestResult watch = alice->WatchPresence({"bob"});
  ASSERT_TRUE(watch.status.ok());
  std::optional<Event> watched = alice->WaitForReply(watch.req_id, 10s);
  ASSERT_TRUE(watched && watched->people.size() == 1u);
  EXPECT_EQ(watched->people[0].state, "online");

  std::thread sender([&] {
    for (int i = 1; i < kMessages; ++i) {
      alice->Send({.to = "bob", .body = "m" + std::to_string(i)});
      std::this_thread::sleep_for(10ms);
    }
  });
  for (std::string& body : Bodies(*bob, "", 49)) got.push_back(std::move(body));
  stack.StopBrokerNode(bob_node, SIGKILL);
  for (std::string& body : Bodies(*bob, "", kMessages - got.size(), 30s)) {
    got.push_back(std::move(body));
  }
  sender.join();
  EXPECT_EQ(got, Numbered("m", kMessages)) << "every message once, in order; " << got.size();
  int new_node = -1;
  for (int node = 0; node < 3; ++node) {
    if (node != bob_node && stack.BrokerLog(node).find(" as bob:phone ") != std::string::npos) {
      new_node = node;
    }
  }
  EXPECT_GE(new_node, 0) << "bob's phone is on no other node";

  std::vector<std::string> states;
  while (std::optional<Event> event = alice->NextEvent(100ms)) {
    if (!event->Is("presence")) continue;
    for (const client::UserPresence& person : event->people) states.push_back(person.state);
  }
  EXPECT_EQ(std::count(states.begin(), states.end(), "offline"), 0)
      << "bob came back within the grace: no offline for watchers";
}

}  // namespace
}  // namespace chat::testing
