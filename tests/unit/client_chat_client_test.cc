// Specification of ChatClient over a fake transport: what it connects with,
// subscribes to and publishes, and how replies reach the application.
#include <gtest/gtest.h>

#include <thread>

#include "chat/client/chat_client.h"
#include "client_fake_transport.h"

namespace chat::client {
namespace {

using std::chrono::milliseconds;
using testing::FakeTransport;
using testing::Published;

constexpr milliseconds kWait(2000);

class ChatClientTest : public ::testing::Test {
 protected:
  ChatClientTest() {
    auto transport = std::make_unique<FakeTransport>();
    fake_ = transport.get();
    ClientOptions options;
    options.host = "broker.local";
    options.port = 1884;
    options.user = "alice";
    options.device = "phone";
    options.token = "tok";
    client_ = std::make_unique<ChatClient>(options, std::move(transport));
  }

  void Connect() { ASSERT_TRUE(client_->Connect(milliseconds(100)).ok()); }

  // The next event of `type`, skipping others (e.g. the sync summary).
  std::optional<Event> Next(const std::string& type) {
    auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline) {
      auto e = client_->NextEvent(milliseconds(50));
      if (e && e->type == type) return e;
    }
    return std::nullopt;
  }

  FakeTransport* fake_;  // owned by client_
  std::unique_ptr<ChatClient> client_;
};

std::string AcceptedJson(const std::string& cmid, int seq = 1) {
  return R"({"type":"accepted","conv":"c1","seq":)" + std::to_string(seq) +
         R"(,"ts":9,"from":"alice","dev":"phone","cmid":")" + cmid + R"(","body":"hi"})";
}

std::string MsgJson(int seq) {
  return R"({"type":"msg","conv":"c1","seq":)" + std::to_string(seq) +
         R"(,"ts":1,"from":"bob","dev":"d","cmid":"m)" + std::to_string(seq) + R"(","body":"x"})";
}

TEST_F(ChatClientTest, ConnectsAsUserColonDeviceWithTheTokenAsPassword) {
  Connect();
  ConnectParams p = fake_->params();
  EXPECT_EQ(p.host, "broker.local");
  EXPECT_EQ(p.port, 1884);
  EXPECT_EQ(p.client_id, "alice:phone");
  EXPECT_EQ(p.username, "alice");
  EXPECT_EQ(p.password, "tok");
  EXPECT_TRUE(p.clean_session);  // the broker queues nothing for a device away
  EXPECT_EQ(p.keepalive_s, 30);
}

TEST_F(ChatClientTest, SubscribesAtQos1ToTheUsersInboxAndTheDeviceTopic) {
  Connect();
  EXPECT_EQ(fake_->subscribed(),
            (std::vector<std::string>{"chat/inbox/alice/#", "chat/dev/alice/phone"}));
  EXPECT_EQ(fake_->subscribed_qos(), 1);
}

TEST_F(ChatClientTest, RefusedConnectionReportsTheConnackCodeAndSubscribesNothing) {
  fake_->connect_result =
      ConnectResult::Failed(ConnectResult::Outcome::kRefused, "not authorized", 5);
  ConnectResult result = client_->Connect(milliseconds(100));
  EXPECT_EQ(result.status.code(), Status::Code::kRefused);
  EXPECT_EQ(result.outcome, ConnectResult::Outcome::kRefused);
  EXPECT_EQ(result.connack_code, 5);
  EXPECT_TRUE(fake_->subscribed().empty());
}

TEST_F(ChatClientTest, RefusedSubscriptionFailsTheConnect) {
  fake_->subscribe_status = Status::Error(Status::Code::kFailed, "subscription refused");
  ConnectResult result = client_->Connect(milliseconds(100));
  EXPECT_EQ(result.outcome, ConnectResult::Outcome::kSubscriptionRefused);
  EXPECT_FALSE(result.status.ok());
  EXPECT_FALSE(client_->IsConnected());
}

TEST(ChatClient, InvalidUserIdIsRejectedBeforeConnecting) {
  auto transport = std::make_unique<FakeTransport>();
  FakeTransport* fake = transport.get();
  ChatClient client(ClientOptions{.user = "Alice", .device = "phone"}, std::move(transport));
  ConnectResult result = client.Connect(milliseconds(100));
  EXPECT_EQ(result.outcome, ConnectResult::Outcome::kInvalidArgument);
  EXPECT_EQ(result.status.code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(fake->params().client_id.empty());
}

TEST_F(ChatClientTest, ConnectingStartsASync) {
  Connect();
  EXPECT_TRUE(fake_->WaitUntil([&] { return !fake_->PayloadsOfType("sync").empty(); }, kWait));
  EXPECT_NE(fake_->PayloadsOfType("sync")[0].find(R"("cursors":{},"limit":1000)"),
            std::string::npos);
}

TEST_F(ChatClientTest, SendPublishesTheEncodedCommandOnTheUpTopicAtQos1) {
  Connect();
  SendResult sent = client_->Send({"bob", "", "hi Bob", "7f0c1c3e-1", "r1"});
  ASSERT_TRUE(sent.status.ok());
  EXPECT_EQ(sent.cmid, "7f0c1c3e-1");
  std::vector<Published> sends;
  for (const Published& p : fake_->published()) {
    if (p.payload.find(R"({"type":"send")") == 0) sends.push_back(p);
  }
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(sends[0].topic, "chat/up/alice/phone");
  EXPECT_EQ(sends[0].qos, 1);
  EXPECT_EQ(sends[0].payload,
            R"({"type":"send","req_id":"r1","to":"bob","cmid":"7f0c1c3e-1","body":"hi Bob"})");
}

TEST_F(ChatClientTest, ASendToAPeerNamesTheirDirectConversationOnceKnown) {
  Connect();
  fake_->Deliver("chat/inbox/alice",
                 R"({"type":"conv.new","conv":"c7","kind":"direct","members":["alice","bob"]})");
  ASSERT_TRUE(fake_->WaitUntil([&] { return !client_->Conversations().empty(); }, kWait));
  ASSERT_TRUE(client_->Send({"bob", "", "hi again", "m2", {}}).status.ok());
  std::vector<std::string> sends = fake_->PayloadsOfType("send");
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(sends[0], R"(["send","c7","m2","hi again"])");
}

TEST_F(ChatClientTest, SendWithoutCmidGeneratesOne) {
  Connect();
  SendResult sent = client_->Send({"", "c1", "hi", {}, {}});
  ASSERT_TRUE(sent.status.ok());
  EXPECT_EQ(sent.cmid.size(), 11u);
  EXPECT_NE(fake_->PayloadsOfType("send").at(0).find("\"" + sent.cmid + "\""), std::string::npos);
}

TEST_F(ChatClientTest, InvalidSendIsRejectedAndNotQueued) {
  Connect();
  SendResult sent = client_->Send({"bob", "c1", "hi", {}, {}});
  EXPECT_EQ(sent.status.code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(fake_->PayloadsOfType("send").empty());
  EXPECT_TRUE(client_->PendingSends().empty());
}

TEST_F(ChatClientTest, ASendLargerThanTheBrokerTakesIsRejected) {
  Connect();
  SendResult sent = client_->Send({"bob", "", std::string(70000, 'x'), {}, {}});
  EXPECT_EQ(sent.status.code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(client_->PendingSends().empty());
}

TEST_F(ChatClientTest, SendWhileOfflineIsQueuedAndPublishedOnConnect) {
  SendResult sent = client_->Send({"bob", "", "hi", "m1", {}});
  EXPECT_TRUE(sent.status.ok());
  EXPECT_EQ(client_->PendingSends().size(), 1u);
  EXPECT_TRUE(fake_->published().empty());
  Connect();
  EXPECT_TRUE(fake_->WaitUntil([&] { return fake_->PayloadsOfType("send").size() == 1; }, kWait));
}

TEST_F(ChatClientTest, AcceptedRemovesTheSendFromTheOutbox) {
  Connect();
  client_->Send({"bob", "", "hi", "m1", {}});
  fake_->Deliver("chat/inbox/alice/c1", AcceptedJson("m1"));
  ASSERT_TRUE(client_->WaitForAcceptance("m1", kWait));
  EXPECT_TRUE(client_->PendingSends().empty());
}

TEST_F(ChatClientTest, WaitForAcceptanceReturnsTheAcceptedEventEvenIfItCameFirst) {
  Connect();
  fake_->on_publish = [this](const std::string& payload) {
    if (payload.find(R"("type":"send")") != std::string::npos) {
      fake_->Deliver("chat/inbox/alice/c1", AcceptedJson("m1", 4));
    }
  };
  client_->Send({"bob", "", "hi", "m1", {}});
  auto accepted = client_->WaitForAcceptance("m1", kWait);
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->type, "accepted");
  EXPECT_EQ(accepted->seq, 4);
  EXPECT_EQ(accepted->topic, "chat/inbox/alice/c1");
}

TEST_F(ChatClientTest, WaitForAcceptanceReturnsTheErrorForTheCmid) {
  Connect();
  client_->Send({"bobby", "", "hi", "m1", "r1"});
  std::thread broker([this] {
    fake_->Deliver("chat/dev/alice/phone",
                   R"({"type":"error","req_id":"r1","code":"unknown_user","message":"no user",)"
                   R"("cmid":"m1"})");
  });
  auto reply = client_->WaitForAcceptance("m1", kWait);
  broker.join();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->code, "unknown_user");
  EXPECT_TRUE(client_->PendingSends().empty());  // not retryable: given up
}

TEST_F(ChatClientTest, CreateDirectPublishesConvCreateAndGetsTheConvReply) {
  Connect();
  fake_->on_publish = [this](const std::string& payload) {
    if (payload.find("conv.create") == std::string::npos) return;
    fake_->Deliver("chat/dev/alice/phone", R"({"type":"conv","req_id":"r3","conv":"c9",)"
                                           R"("kind":"direct","members":["alice","bob"],)"
                                           R"("created":true})");
  };
  RequestResult sent = client_->CreateDirect("bob", "r3");
  ASSERT_TRUE(sent.status.ok());
  EXPECT_EQ(fake_->PayloadsOfType("conv.create").at(0),
            R"({"type":"conv.create","req_id":"r3","with":"bob"})");
  auto reply = client_->WaitForReply("r3", kWait);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->conv, "c9");
  EXPECT_TRUE(reply->created);
}

TEST_F(ChatClientTest, GroupHistoryAndReceiptRequestsArePublishedAsDocumented) {
  Connect();
  EXPECT_TRUE(client_->CreateGroup("Climbing", {"bob", "carol"}, "g1").status.ok());
  EXPECT_TRUE(client_->AddMembers("c7a", {"dave"}, "g2").status.ok());
  EXPECT_TRUE(client_->RemoveMembers("c7a", {"carol"}, "g3").status.ok());
  EXPECT_TRUE(client_->LeaveGroup("c7a", "g4").status.ok());
  EXPECT_TRUE(client_->SetRole("c7a", "bob", "admin", "g5").status.ok());
  EXPECT_TRUE(client_->History("c5d2f", 40, 50, "h1").status.ok());
  EXPECT_TRUE(client_->Receipts("c7a", 12, "r7").status.ok());
  EXPECT_TRUE(client_->MarkDelivered("c5d2f", 44).ok());
  EXPECT_TRUE(client_->MarkRead("c5d2f", 44).ok());
  EXPECT_TRUE(client_->SendTyping("c5d2f").ok());
  std::vector<std::string> got;
  for (const Published& p : fake_->published()) {
    if (p.payload.find(R"({"type":"sync")") != 0) got.push_back(p.payload);
  }
  EXPECT_EQ(
      got,
      (std::vector<std::string>{
          R"({"type":"group.create","req_id":"g1","title":"Climbing","members":["bob","carol"]})",
          R"({"type":"group.add","req_id":"g2","conv":"c7a","users":["dave"]})",
          R"({"type":"group.remove","req_id":"g3","conv":"c7a","users":["carol"]})",
          R"({"type":"group.leave","req_id":"g4","conv":"c7a"})",
          R"({"type":"group.role","req_id":"g5","conv":"c7a","user":"bob","role":"admin"})",
          R"({"type":"history","req_id":"h1","conv":"c5d2f","before":40,"limit":50})",
          R"({"type":"receipts","req_id":"r7","conv":"c7a","seq":12})",
          R"(["delivered","c5d2f",44])", R"(["read","c5d2f",44])",
          R"({"type":"typing","conv":"c5d2f"})"}));
}

TEST_F(ChatClientTest, InvalidRequestsArePublishedNot) {
  Connect();
  EXPECT_EQ(client_->CreateDirect("Bob").status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(client_->CreateGroup("", {"bob"}).status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(client_->AddMembers("c1", {}).status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(client_->SetRole("c1", "bob", "owner").status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(client_->History("c1", 0, 501).status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(client_->MarkRead("c1", 0).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(client_->Receipts("c/1", 3).status.code(), Status::Code::kInvalidArgument);
  for (const Published& p : fake_->published()) {
    EXPECT_EQ(p.payload.find(R"({"type":"sync")"), 0u) << p.payload;
  }
}

TEST_F(ChatClientTest, RequestsWhileOfflineFailWithNotConnected) {
  EXPECT_EQ(client_->CreateDirect("bob").status.code(), Status::Code::kNotConnected);
}

TEST_F(ChatClientTest, MessagesReachTheAppOnceAndInSeqOrder) {
  Connect();
  fake_->Deliver("chat/inbox/alice/c1", MsgJson(1));
  fake_->Deliver("chat/inbox/alice/c1", MsgJson(1));
  fake_->Deliver("chat/inbox/alice/c1", MsgJson(2));
  EXPECT_EQ(Next("msg")->seq, 1);
  EXPECT_EQ(Next("msg")->seq, 2);
  auto extra = client_->NextEvent(milliseconds(200));
  EXPECT_FALSE(extra && extra->IsSequenced());
}

TEST_F(ChatClientTest, MalformedPayloadIsQueuedAsAnInvalidEvent) {
  Connect();
  fake_->Deliver("chat/dev/alice/phone", "{oops");
  auto event = Next("invalid");
  ASSERT_TRUE(event);
  EXPECT_EQ(event->raw, "{oops");
}

TEST_F(ChatClientTest, TakenMessagesAreReportedDelivered) {
  Connect();
  fake_->Deliver("chat/inbox/alice/c1", MsgJson(1));
  fake_->Deliver("chat/inbox/alice/c1", MsgJson(2));
  Next("msg");
  Next("msg");
  EXPECT_TRUE(fake_->WaitUntil(
      [&] {
        auto d = fake_->PayloadsOfType("delivered");
        return !d.empty() && d.back() == R"(["delivered","c1",2])";
      },
      kWait));
}

}  // namespace
}  // namespace chat::client
