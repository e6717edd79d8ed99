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
  EXPECT_NE(d.fake->PayloadsOfType("send")[0].find(R"("cmid":"m1")"), std::string::npos);
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

TEST(Reconnect, DisconnectStopsReconnecting) {
  Device d(Options());
  ASSERT_TRUE(d.client->Connect(milliseconds(100)).ok());
  d.client->Disconnect();
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(d.fake->connects(), 1);
  EXPECT_FALSE(d.client->IsConnected());
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

}  // namespace
}  // namespace chat::client
