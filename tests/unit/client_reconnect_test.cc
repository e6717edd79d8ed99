// Specification of what survives a lost connection and a restart of the
// client: reconnect with backoff, resubscribe, resend, resync, cursors.
#include <gtest/gtest.h>

#include "chat/client/chat_client.h"
#include "chat/store_failure.h"
#include "client_fake_transport.h"
#include "client_state_dir.h"

namespace chat::client {
namespace {

using std::chrono::milliseconds;
using testing::FakeTransport;
using testing::StateDir;

constexpr milliseconds kWait(3000);

ClientOptions Options(const std::string& state_path = "") {
  ClientOptions options;
  options.user = "alice";
  options.device = "phone";
  options.state_path = state_path;
  options.reconnect = {milliseconds(10), milliseconds(40)};
  return options;
}

// A client with its fake transport.
struct Device {
  explicit Device(ClientOptions options) {
    auto transport = std::make_unique<FakeTransport>();
    fake = transport.get();
    client = std::make_unique<ChatClient>(std::move(options), std::move(transport));
  }
  std::optional<Event> Next(const std::string& type) {
    auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline) {
      auto e = client->NextEvent(milliseconds(50));
      if (e && e->type == type) return e;
    }
    return std::nullopt;
  }
  FakeTransport* fake;
  std::unique_ptr<ChatClient> client;
};

std::string MsgJson(int seq) {
  return R"({"type":"msg","conv":"c1","seq":)" + std::to_string(seq) +
         R"(,"ts":1,"from":"bob","dev":"d","cmid":"m)" + std::to_string(seq) + R"(","body":"x"})";
}

TEST(Reconnect, ALostConnectionIsReportedThenRestoredWithResubscribeResendAndSync) {
  Device d(Options());
  ASSERT_TRUE(d.client->Connect(milliseconds(100)).ok());
  d.client->Send({"bob", "", "hi", "m1", {}});
  ASSERT_TRUE(d.fake->WaitUntil([&] { return !d.fake->PayloadsOfType("sync").empty(); }, kWait));
  d.fake->ClearPublished();
  d.fake->Lose("keepalive timeout");
  auto lost = d.Next("connection.lost");
  ASSERT_TRUE(lost);
  EXPECT_EQ(lost->message, "keepalive timeout");
  ASSERT_TRUE(d.Next("connection.restored"));
  EXPECT_TRUE(d.client->IsConnected());
  EXPECT_EQ(d.fake->connects(), 2);
  EXPECT_EQ(d.fake->subscribes(), 2);
  EXPECT_TRUE(d.fake->WaitUntil(
      [&] {
        return d.fake->PayloadsOfType("send").size() == 1 &&
               d.fake->PayloadsOfType("sync").size() == 1;
      },
      kWait));
  EXPECT_NE(d.fake->PayloadsOfType("send")[0].find(R"("m1")"), std::string::npos);
}

TEST(Reconnect, FailedAttemptsAreRetriedUntilTheBrokerIsBack) {
  Device d(Options());
  ASSERT_TRUE(d.client->Connect(milliseconds(100)).ok());
  d.fake->FailNextConnects(3);
  d.fake->Lose("broker restarted");
  ASSERT_TRUE(d.Next("connection.restored"));
  EXPECT_EQ(d.fake->connects(), 1 + 3 + 1);
}

TEST(Reconnect, AttemptsAreSpacedByTheBackoff) {
  ClientOptions options = Options();
  options.reconnect = {milliseconds(200), milliseconds(200)};
  Device d(options);
  ASSERT_TRUE(d.client->Connect(milliseconds(100)).ok());
  d.fake->FailNextConnects(1000);
  d.fake->Lose("down");
  std::this_thread::sleep_for(milliseconds(1000));
  // At most one attempt per 0..200 ms, uniformly: about 10 in a second, never hundreds.
  EXPECT_GE(d.fake->connects(), 3);
  EXPECT_LE(d.fake->connects(), 60);
}

// The backoff spaces the starts of attempts: an attempt that took longer than
// the delay drawn after it (a SYN lost on a bad network) is followed at once.
TEST(Reconnect, ASlowFailedAttemptCountsTowardTheWait) {
  ClientOptions options = Options();
  options.reconnect = {milliseconds(300), milliseconds(300)};
  Device d(options);
  ASSERT_TRUE(d.client->Connect(milliseconds(100)).ok());
  d.fake->slow_failure = milliseconds(400);
  d.fake->FailNextConnects(3);
  d.fake->Lose("network switch");
  ASSERT_TRUE(d.Next("connection.restored"));
  auto starts = d.fake->connect_starts();
  ASSERT_EQ(starts.size(), 1u + 3 + 1);
  for (std::size_t i = 2; i < starts.size(); ++i) {
    auto spacing = std::chrono::duration_cast<milliseconds>(starts[i] - starts[i - 1]);
    EXPECT_LT(spacing, milliseconds(400 + 120)) << "attempt " << i;  // not 400 + up to 300
  }
}

// A connection the broker accepted (CONNACK) and the network then cut: the
// broker is up, so the next attempt follows the first delay, not a doubled one.
TEST(Reconnect, ALinkCutAfterTheConnackDoesNotGrowTheBackoff) {
  ClientOptions options = Options();
  options.reconnect = {milliseconds(50), milliseconds(60000)};
  Device d(options);
  ASSERT_TRUE(d.client->Connect(milliseconds(100)).ok());
  d.fake->LoseNextSubscribes(8);
  auto lost_at = std::chrono::steady_clock::now();
  d.fake->Lose("network switch");
  ASSERT_TRUE(d.Next("connection.restored"));
  EXPECT_EQ(d.fake->connects(), 1 + 8 + 1);
  // Doubling from 50 ms would wait about 6 s over 8 failures; 8 x 0..50 ms here.
  EXPECT_LT(std::chrono::steady_clock::now() - lost_at, milliseconds(2000));
}

TEST(Reconnect, DisconnectStopsReconnecting) {
  Device d(Options());
  ASSERT_TRUE(d.client->Connect(milliseconds(100)).ok());
  d.client->Disconnect();
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(d.fake->connects(), 1);
  EXPECT_FALSE(d.client->IsConnected());
}

// The req_id of the `sync` request published `index`-th (0 first), once published.
std::string SyncReqId(FakeTransport& fake, std::size_t index) {
  EXPECT_TRUE(fake.WaitUntil([&] { return fake.PayloadsOfType("sync").size() > index; }, kWait));
  std::vector<std::string> syncs = fake.PayloadsOfType("sync");
  if (syncs.size() <= index) return "";
  const std::string& payload = syncs[index];
  std::size_t start = payload.find(R"("req_id":")") + 10;
  return payload.substr(start, payload.find('"', start) - start);
}

// Takes events until the msg with `seq` (delivered after what the test
// checks: the worker handles payloads in order); returns the ones before it.
std::vector<Event> EventsBeforeMsg(Device& d, int64_t seq) {
  std::vector<Event> before;
  auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    auto e = d.client->NextEvent(milliseconds(50));
    if (!e) continue;
    if (e->Is("msg") && e->seq == seq) return before;
    before.push_back(*e);
  }
  ADD_FAILURE() << "msg " << seq << " never came";
  return before;
}

bool Lists(const std::vector<ConversationSummary>& convs, const std::string& conv) {
  for (const ConversationSummary& c : convs) {
    if (c.conv == conv) return true;
  }
  return false;
}

TEST(Reconnect, ARequestPendingWhenTheConnectionIsLostFailsAtOnce) {
  Device d(Options());
  ASSERT_TRUE(d.client->Connect(milliseconds(100)).ok());
  RequestResult request = d.client->CreateDirect("bob");
  ASSERT_TRUE(request.status.ok());
  auto lost_at = std::chrono::steady_clock::now();
  d.fake->Lose("network down");
  auto reply = d.client->WaitForReply(request.req_id, milliseconds(5000));
  ASSERT_TRUE(reply) << "not answered within the wait";
  EXPECT_LT(std::chrono::steady_clock::now() - lost_at, milliseconds(1000));
  EXPECT_EQ(reply->type, "connection.lost");
  EXPECT_EQ(reply->req_id, request.req_id);
}

TEST(Reconnect, AReplyToARequestOfALostConnectionNeverReachesTheAppOrTheList) {
  Device d(Options());
  ASSERT_TRUE(d.client->Connect(milliseconds(100)).ok());
  RequestResult request = d.client->CreateDirect("bob");
  d.fake->Lose("network down");
  ASSERT_TRUE(d.Next("connection.restored"));
  d.fake->Deliver("chat/dev/alice/phone", R"({"type":"conv","req_id":")" + request.req_id +
                                              R"(","conv":"c9","kind":"direct",)"
                                              R"("members":["alice","bob"],"created":true})");
  d.fake->Deliver("chat/inbox/alice/c1", MsgJson(1));
  for (const Event& e : EventsBeforeMsg(d, 1)) EXPECT_NE(e.type, "conv") << e.raw;
  EXPECT_FALSE(Lists(d.client->Conversations(), "c9"));
  auto answer = d.client->WaitForReply(request.req_id, milliseconds(0));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->type, "connection.lost");  // the failure, not the late reply
}

TEST(Reconnect, ASyncReplyOfALostConnectionNeverReachesTheAppOrTheList) {
  Device d(Options());
  ASSERT_TRUE(d.client->Connect(milliseconds(100)).ok());
  std::string old_sync = SyncReqId(*d.fake, 0);
  d.fake->Lose("network down");
  ASSERT_TRUE(d.Next("connection.restored"));
  std::string new_sync = SyncReqId(*d.fake, 1);
  ASSERT_NE(old_sync, new_sync);
  d.fake->Deliver("chat/dev/alice/phone",
                  R"({"type":"sync","req_id":")" + old_sync +
                      R"(","convs":[{"conv":"c9","kind":"direct","members":["alice","bob"],)"
                      R"("last_seq":7,"read_seq":0,"unread":7,"active":true}],)"
                      R"("messages":[],"cursors":{"c9":0},"more":false})");
  d.fake->Deliver("chat/inbox/alice/c1", MsgJson(1));
  for (const Event& e : EventsBeforeMsg(d, 1)) EXPECT_NE(e.type, "sync") << e.raw;
  EXPECT_FALSE(Lists(d.client->Conversations(), "c9"));
}

TEST(Reconnect, NothingReceivedAfterDisconnectReturnsIsQueued) {
  Device d(Options());
  ASSERT_TRUE(d.client->Connect(milliseconds(100)).ok());
  d.fake->Deliver("chat/inbox/alice/c1", MsgJson(1));
  d.client->Disconnect();
  // What came before Disconnect is queued; what MQTT hands over late is not.
  d.fake->Deliver("chat/inbox/alice/c1", MsgJson(2));
  d.client->Disconnect();  // a round trip through the worker: the late payload was handled
  std::vector<int64_t> seqs;
  while (auto e = d.client->NextEvent(milliseconds(0))) {
    if (e->Is("msg")) seqs.push_back(e->seq);
  }
  EXPECT_EQ(seqs, std::vector<int64_t>{1});
}

TEST(Restart, ANewClientOnTheSameStateFileResendsWhatWasLeftInOrder) {
  StateDir dir;
  {
    Device first(Options(dir.path()));
    first.client->Send({"bob", "", "one", "m1", {}});
    first.client->Send({"bob", "", "two", "m2", {}});
  }  // never connected: both are only in the state file
  Device second(Options(dir.path()));
  ASSERT_EQ(second.client->PendingSends().size(), 2u);
  ASSERT_TRUE(second.client->Connect(milliseconds(100)).ok());
  ASSERT_TRUE(second.fake->WaitUntil(
      [&] { return second.fake->PayloadsOfType("send").size() == 2; }, kWait));
  auto sends = second.fake->PayloadsOfType("send");
  EXPECT_EQ(sends[0], R"({"type":"send","to":"bob","cmid":"m1","body":"one"})");
  EXPECT_EQ(sends[1], R"({"type":"send","to":"bob","cmid":"m2","body":"two"})");
}

TEST(Restart, PositionsTakenByTheAppSurviveAndDuplicatesStayHidden) {
  StateDir dir;
  {
    Device first(Options(dir.path()));
    ASSERT_TRUE(first.client->Connect(milliseconds(100)).ok());
    for (int seq = 1; seq <= 3; ++seq) first.fake->Deliver("chat/inbox/alice/c1", MsgJson(seq));
    for (int seq = 1; seq <= 3; ++seq) ASSERT_EQ(first.Next("msg")->seq, seq);
  }
  Device second(Options(dir.path()));
  ASSERT_TRUE(second.client->Connect(milliseconds(100)).ok());
  ASSERT_TRUE(
      second.fake->WaitUntil([&] { return !second.fake->PayloadsOfType("sync").empty(); }, kWait));
  EXPECT_NE(second.fake->PayloadsOfType("sync")[0].find(R"("cursors":{"c1":3})"),
            std::string::npos);
  second.fake->Deliver("chat/inbox/alice/c1", MsgJson(3));  // redelivered by the broker
  second.fake->Deliver("chat/inbox/alice/c1", MsgJson(4));
  EXPECT_EQ(second.Next("msg")->seq, 4);
}

TEST(Restart, AStateFileOfAnotherDeviceIsRefused) {
  StateDir dir;
  { Device first(Options(dir.path())); }
  ClientOptions other = Options(dir.path());
  other.device = "laptop";
  EXPECT_THROW(ChatClient(other, std::make_unique<FakeTransport>()), StoreFailure);
}

TEST(Reconnect, TheWatchAndAwayAreAskedAgainAfterEveryConnect) {
  Device d(Options());
  // Kept while offline: the app's screen decides, not the network.
  EXPECT_EQ(d.client->WatchPresence({"bob", "carol"}).status.code(), Status::Code::kNotConnected);
  EXPECT_FALSE(d.client->SetAway(true).ok());
  ASSERT_TRUE(d.client->Connect(milliseconds(100)).ok());
  auto renewed = [&](std::size_t n) {
    return d.fake->WaitUntil(
        [&] {
          return d.fake->PayloadsOfType("presence.watch").size() == n &&
                 d.fake->PayloadsOfType("presence.set").size() == n;
        },
        kWait);
  };
  ASSERT_TRUE(renewed(1));
  EXPECT_EQ(d.fake->PayloadsOfType("presence.watch")[0],
            R"({"type":"presence.watch","users":["bob","carol"]})");
  EXPECT_EQ(d.fake->PayloadsOfType("presence.set")[0], R"({"type":"presence.set","state":"away"})");

  d.fake->ClearPublished();
  ASSERT_TRUE(d.client->WatchPresence({"dave"}).status.ok());
  ASSERT_TRUE(d.client->SetAway(false).ok());
  d.fake->ClearPublished();
  d.fake->Lose("network switch");
  ASSERT_TRUE(d.Next("connection.restored"));
  ASSERT_TRUE(
      d.fake->WaitUntil([&] { return !d.fake->PayloadsOfType("presence.watch").empty(); }, kWait));
  EXPECT_EQ(d.fake->PayloadsOfType("presence.watch"),
            std::vector<std::string>{R"({"type":"presence.watch","users":["dave"]})"});
  EXPECT_TRUE(d.fake->PayloadsOfType("presence.set").empty()) << "back in front: nothing to say";
}

TEST(Reconnect, TheWatchIsAskedAgainWhenChatdIsBack) {
  Device d(Options());
  ASSERT_TRUE(d.client->Connect(milliseconds(100)).ok());
  ASSERT_TRUE(d.client->WatchPresence({"bob"}).status.ok());
  ASSERT_TRUE(d.fake->WaitUntil([&] { return !d.fake->PayloadsOfType("sync").empty(); }, kWait));
  d.fake->ClearPublished();
  d.fake->Deliver("chat/inbox/alice", R"({"type":"ready"})");
  ASSERT_TRUE(
      d.fake->WaitUntil([&] { return !d.fake->PayloadsOfType("presence.watch").empty(); }, kWait));
  EXPECT_EQ(d.fake->PayloadsOfType("presence.watch"),
            std::vector<std::string>{R"({"type":"presence.watch","users":["bob"]})"});
}

constexpr char kDevTopic[] = "chat/dev/alice/phone";
const PushRegistration kApns{"apns", "com.example.chat", std::string(64, 'a'), false};

std::string PushReply(const std::string& req_id, bool registered) {
  return R"({"type":"push","req_id":")" + req_id + R"(","registered":)" +
         (registered ? R"(true,"platform":"apns","app":"com.example.chat","sandbox":false})"
                     : "false}");
}

// Waits for the sync of the latest connect: the kept requests went out before it.
bool ConnectRoundDone(Device& d) {
  return d.fake->WaitUntil([&] { return !d.fake->PayloadsOfType("sync").empty(); }, kWait);
}

TEST(Reconnect, APushRegistrationMadeOfflineIsSentAfterConnectAndItsReplyReachesTheApp) {
  Device d(Options());
  RequestResult registered = d.client->RegisterPush(kApns);
  EXPECT_EQ(registered.status.code(), Status::Code::kNotConnected);
  ASSERT_TRUE(d.client->Connect(milliseconds(100)).ok());
  ASSERT_TRUE(ConnectRoundDone(d));
  EXPECT_EQ(d.fake->PayloadsOfType("push.register"),
            std::vector<std::string>{R"({"type":"push.register","req_id":")" + registered.req_id +
                                     R"(","platform":"apns","app":"com.example.chat","token":")" +
                                     std::string(64, 'a') + R"(","sandbox":false})"});
  d.fake->Deliver(kDevTopic, PushReply(registered.req_id, true));
  auto reply = d.client->WaitForReply(registered.req_id, kWait);
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->Is("push"));
  EXPECT_TRUE(reply->registered);
  auto seen = d.Next("push");
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->app, "com.example.chat");
}

TEST(Reconnect, APushRegistrationIsSentAgainAfterEachConnectUntilAnswered) {
  Device d(Options());
  ASSERT_TRUE(d.client->Connect(milliseconds(100)).ok());
  RequestResult registered = d.client->RegisterPush(kApns);
  ASSERT_TRUE(registered.status.ok());
  ASSERT_TRUE(ConnectRoundDone(d));
  d.fake->ClearPublished();
  d.fake->Lose("network switch");  // before the reply
  ASSERT_TRUE(d.Next("connection.restored"));
  ASSERT_TRUE(ConnectRoundDone(d));
  ASSERT_EQ(d.fake->PayloadsOfType("push.register").size(), 1u);
  EXPECT_NE(d.fake->PayloadsOfType("push.register")[0].find(registered.req_id), std::string::npos);

  d.fake->Deliver(kDevTopic, PushReply(registered.req_id, true));
  ASSERT_TRUE(d.Next("push"));
  d.fake->ClearPublished();
  d.fake->Lose("network switch");
  ASSERT_TRUE(d.Next("connection.restored"));
  ASSERT_TRUE(ConnectRoundDone(d));
  EXPECT_TRUE(d.fake->PayloadsOfType("push.register").empty()) << "answered once: done";
}

TEST(Reconnect, OnlyTheLatestPushRequestIsKept) {
  Device d(Options());
  d.client->RegisterPush(kApns);
  RequestResult unregistered = d.client->UnregisterPush();
  ASSERT_TRUE(d.client->Connect(milliseconds(100)).ok());
  ASSERT_TRUE(ConnectRoundDone(d));
  EXPECT_TRUE(d.fake->PayloadsOfType("push.register").empty());
  EXPECT_EQ(d.fake->PayloadsOfType("push.unregister"),
            std::vector<std::string>{R"({"type":"push.unregister","req_id":")" +
                                     unregistered.req_id + R"("})"});
}

TEST(Reconnect, APushRegistrationRefusedWhileChatdIsAwayIsSentAgainWhenItIsBack) {
  Device d(Options());
  ASSERT_TRUE(d.client->Connect(milliseconds(100)).ok());
  RequestResult registered = d.client->RegisterPush(kApns);
  ASSERT_TRUE(ConnectRoundDone(d));
  d.fake->Deliver(kDevTopic, R"({"type":"error","req_id":")" + registered.req_id +
                                 R"(","code":"unavailable","message":"chatd is away",)"
                                 R"("retry_after_ms":1000})");
  ASSERT_TRUE(d.client->WaitForReply(registered.req_id, kWait));
  d.fake->ClearPublished();
  d.fake->Deliver("chat/inbox/alice", R"({"type":"ready"})");
  EXPECT_TRUE(d.fake->WaitUntil([&] { return d.fake->PayloadsOfType("push.register").size() == 1; },
                                kWait));
}

TEST(Reconnect, AnInvalidPushRegistrationIsNeitherSentNorKept) {
  Device d(Options());
  PushRegistration bad = kApns;
  bad.token = "not-hex";
  EXPECT_EQ(d.client->RegisterPush(bad).status.code(), Status::Code::kInvalidArgument);
  ASSERT_TRUE(d.client->Connect(milliseconds(100)).ok());
  ASSERT_TRUE(ConnectRoundDone(d));
  EXPECT_TRUE(d.fake->PayloadsOfType("push.register").empty());
}

}  // namespace
}  // namespace chat::client
