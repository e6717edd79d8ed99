// Specification of ChatClient over a fake transport: what it connects with,
// subscribes to and publishes, and how replies reach the application.
#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <thread>

#include "chat/client/chat_client.h"

namespace chat::client {
namespace {

using std::chrono::milliseconds;

struct Published {
  std::string topic;
  std::string payload;
  int qos;
};

// Records what the client asks of MQTT; the test plays the broker through it.
class FakeTransport : public Transport {
 public:
  void SetHandlers(MessageHandler on_message, LostHandler on_lost) override {
    on_message_ = std::move(on_message);
    on_lost_ = std::move(on_lost);
  }
  ConnectResult Connect(const ConnectParams& params, milliseconds) override {
    params_ = params;
    connected_ = connect_result.ok();
    return connect_result;
  }
  Status Subscribe(const std::vector<std::string>& topics, int qos, milliseconds) override {
    subscribed = topics;
    subscribed_qos = qos;
    return subscribe_status;
  }
  Status Publish(const std::string& topic, const std::string& payload, int qos) override {
    if (!publish_status.ok()) return publish_status;
    {
      std::lock_guard lock(mu_);
      published.push_back({topic, payload, qos});
    }
    if (on_publish) on_publish(payload);
    return Status::Ok();
  }
  void Disconnect(milliseconds) override { connected_ = false; }
  bool IsConnected() const override { return connected_; }

  // The broker delivering a payload (on the caller's thread, as Paho's would be its own).
  void Deliver(const std::string& topic, const std::string& payload) {
    on_message_(topic, payload);
  }
  void Lose(const std::string& cause) {
    connected_ = false;
    on_lost_(cause);
  }
  const ConnectParams& params() const { return params_; }

  ConnectResult connect_result;
  Status subscribe_status;
  Status publish_status;
  std::function<void(const std::string&)> on_publish;  // e.g. a fake chatd answering at once
  std::vector<std::string> subscribed;
  int subscribed_qos = -1;
  std::vector<Published> published;

 private:
  MessageHandler on_message_;
  LostHandler on_lost_;
  ConnectParams params_;
  std::mutex mu_;
  bool connected_ = false;
};

class ChatClientTest : public testing::Test {
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

  FakeTransport* fake_;  // owned by client_
  std::unique_ptr<ChatClient> client_;
};

std::string AcceptedJson(const std::string& cmid) {
  return R"({"type":"accepted","conv":"c1","seq":4,"ts":9,"from":"alice","dev":"phone","cmid":")" +
         cmid + R"(","body":"hi"})";
}

TEST_F(ChatClientTest, ConnectsAsUserColonDeviceWithTheTokenAsPassword) {
  Connect();
  const ConnectParams& p = fake_->params();
  EXPECT_EQ(p.host, "broker.local");
  EXPECT_EQ(p.port, 1884);
  EXPECT_EQ(p.client_id, "alice:phone");
  EXPECT_EQ(p.username, "alice");
  EXPECT_EQ(p.password, "tok");
  EXPECT_FALSE(p.clean_session);
  EXPECT_EQ(p.keepalive_s, 30);
}

TEST_F(ChatClientTest, SubscribesAtQos1ToTheUsersInboxAndTheDeviceTopic) {
  Connect();
  EXPECT_EQ(fake_->subscribed,
            (std::vector<std::string>{"chat/inbox/alice/#", "chat/dev/alice/phone"}));
  EXPECT_EQ(fake_->subscribed_qos, 1);
}

TEST_F(ChatClientTest, RefusedConnectionReportsTheConnackCodeAndSubscribesNothing) {
  fake_->connect_result =
      ConnectResult::Failed(ConnectResult::Outcome::kRefused, "not authorized", 5);
  ConnectResult result = client_->Connect(milliseconds(100));
  EXPECT_EQ(result.status.code(), Status::Code::kRefused);
  EXPECT_EQ(result.outcome, ConnectResult::Outcome::kRefused);
  EXPECT_EQ(result.connack_code, 5);
  EXPECT_TRUE(fake_->subscribed.empty());
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

TEST_F(ChatClientTest, SendPublishesTheEncodedCommandOnTheUpTopicAtQos1) {
  Connect();
  SendResult sent = client_->Send({"bob", "", "hi Bob", "7f0c1c3e-1", "r1"});
  ASSERT_TRUE(sent.status.ok());
  EXPECT_EQ(sent.cmid, "7f0c1c3e-1");
  ASSERT_EQ(fake_->published.size(), 1u);
  EXPECT_EQ(fake_->published[0].topic, "chat/up/alice/phone");
  EXPECT_EQ(fake_->published[0].qos, 1);
  EXPECT_EQ(fake_->published[0].payload,
            R"({"type":"send","req_id":"r1","to":"bob","cmid":"7f0c1c3e-1","body":"hi Bob"})");
}

TEST_F(ChatClientTest, SendWithoutCmidGeneratesOneAndPublishesIt) {
  Connect();
  SendResult sent = client_->Send({"", "c1", "hi", {}, {}});
  ASSERT_TRUE(sent.status.ok());
  EXPECT_EQ(sent.cmid.size(), 36u);
  EXPECT_NE(fake_->published.at(0).payload.find(R"("cmid":")" + sent.cmid + "\""),
            std::string::npos);
}

TEST_F(ChatClientTest, InvalidSendIsRejectedWithoutPublishing) {
  Connect();
  SendResult sent = client_->Send({"bob", "c1", "hi", {}, {}});
  EXPECT_EQ(sent.status.code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(fake_->published.empty());
}

TEST_F(ChatClientTest, FailedPublishIsNotLeftWaiting) {
  Connect();
  fake_->publish_status = Status::Error(Status::Code::kNotConnected, "not connected");
  SendResult sent = client_->Send({"bob", "", "hi", "m1", {}});
  EXPECT_EQ(sent.status.code(), Status::Code::kNotConnected);
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(client_->WaitForAcceptance("m1", milliseconds(5000)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1000));
}

TEST_F(ChatClientTest, WaitForAcceptanceReturnsTheAcceptedEventEvenIfItCameFirst) {
  Connect();
  fake_->on_publish = [this](const std::string&) {
    fake_->Deliver("chat/inbox/alice/c1", AcceptedJson("m1"));
  };
  client_->Send({"bob", "", "hi", "m1", {}});
  auto accepted = client_->WaitForAcceptance("m1", milliseconds(100));
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
  auto reply = client_->WaitForAcceptance("m1", milliseconds(5000));
  broker.join();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->type, "error");
  EXPECT_EQ(reply->code, "unknown_user");
}

TEST_F(ChatClientTest, CreateDirectPublishesConvCreateAndGetsTheConvReply) {
  Connect();
  fake_->on_publish = [this](const std::string& payload) {
    auto at = payload.find(R"("req_id":")") + 10;
    std::string req_id = payload.substr(at, payload.find('"', at) - at);
    fake_->Deliver("chat/dev/alice/phone", R"({"type":"conv","req_id":")" + req_id +
                                               R"(","conv":"c9","kind":"direct",)"
                                               R"("members":["alice","bob"],"created":true})");
  };
  RequestResult sent = client_->CreateDirect("bob", "r3");
  ASSERT_TRUE(sent.status.ok());
  EXPECT_EQ(fake_->published.at(0).payload, R"({"type":"conv.create","req_id":"r3","with":"bob"})");
  auto reply = client_->WaitForReply("r3", milliseconds(100));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->conv, "c9");
  EXPECT_TRUE(reply->created);
}

TEST_F(ChatClientTest, CreateDirectRejectsAnInvalidUserId) {
  Connect();
  EXPECT_EQ(client_->CreateDirect("Bob").status.code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(fake_->published.empty());
}

TEST_F(ChatClientTest, EveryReceivedEventIsQueuedInOrderWithItsTopic) {
  Connect();
  client_->Send({"bob", "", "hi", "m1", {}});
  fake_->Deliver("chat/inbox/alice/c1", AcceptedJson("m1"));
  fake_->Deliver("chat/inbox/alice",
                 R"({"type":"conv.new","conv":"c2","kind":"direct","members":["alice","carol"]})");
  auto first = client_->NextEvent(milliseconds(100));
  auto second = client_->NextEvent(milliseconds(100));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->type, "accepted");
  EXPECT_EQ(second->type, "conv.new");
  EXPECT_EQ(second->topic, "chat/inbox/alice");
  EXPECT_FALSE(client_->NextEvent(milliseconds(0)));
}

TEST_F(ChatClientTest, MalformedPayloadIsQueuedAsAnInvalidEvent) {
  Connect();
  fake_->Deliver("chat/dev/alice/phone", "{oops");
  auto event = client_->NextEvent(milliseconds(100));
  ASSERT_TRUE(event);
  EXPECT_EQ(event->type, "invalid");
  EXPECT_EQ(event->raw, "{oops");
}

TEST_F(ChatClientTest, ConnectionLossIsQueuedAsAnEvent) {
  Connect();
  fake_->Lose("keepalive timeout");
  auto event = client_->NextEvent(milliseconds(100));
  ASSERT_TRUE(event);
  EXPECT_EQ(event->type, "connection.lost");
  EXPECT_EQ(event->message, "keepalive timeout");
  EXPECT_FALSE(client_->IsConnected());
}

TEST(ChatClient, QueueKeepsTheNewestEventsWhenTheAppFallsBehind) {
  auto transport = std::make_unique<FakeTransport>();
  FakeTransport* fake = transport.get();
  ChatClient client(ClientOptions{.user = "alice", .device = "phone", .max_queued_events = 2},
                    std::move(transport));
  ASSERT_TRUE(client.Connect(milliseconds(100)).ok());
  for (int seq = 1; seq <= 3; ++seq) {
    fake->Deliver("chat/inbox/alice/c1",
                  R"({"type":"msg","conv":"c1","seq":)" + std::to_string(seq) +
                      R"(,"ts":1,"from":"bob","dev":"d","cmid":"m","body":"x"})");
  }
  EXPECT_EQ(client.dropped_events(), 1u);
  EXPECT_EQ(client.NextEvent(milliseconds(0))->seq, 2);
}

}  // namespace
}  // namespace chat::client
