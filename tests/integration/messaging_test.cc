// 1:1 messaging end to end: devices speak raw MQTT to a real mosquitto with
// the real plugin and a real chatd (docs/PROTOCOL.md sections 5-8), on either
// store engine.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "chat/database.h"
#include "harness/mqtt_probe.h"
#include "harness/test_device.h"
#include "harness/test_stack.h"

namespace chat::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

using Device = TestDevice;

// Every test of this suite runs on a SQLite file and on PostgreSQL.
class MessagingTest : public ::testing::TestWithParam<Database::Engine> {
 protected:
  TestStack stack_{{.engine = GetParam()}};
};
INSTANTIATE_ON_BROKER_ENGINES(MessagingTest);

TEST_P(MessagingTest, ChatdPublishesTheFanOutOnAConnectionOfItsOwn) {
  // On the command connection a batch's publish waited behind the PUBACKs
  // for commands (Nagle, the broker's delayed ACK): up to 40 ms.
  Device alice(stack_, "alice", "phone");
  Device bob(stack_, "bob", "phone");
  alice.Send(SendTo("bob", "m-1", "hello"));
  ASSERT_EQ(bob.Await("msg", 1).size(), 1u);
  std::string log = stack_.BrokerLog();
  EXPECT_NE(log.find(" as svc:chatd ("), std::string::npos) << log;
  EXPECT_NE(log.find(" as svc:chatd-fanout ("), std::string::npos) << log;
}

TEST_P(MessagingTest, MessageReachesEveryDeviceOfRecipientAndSenderWithTheSameSeq) {
  Device alice_phone(stack_, "alice", "phone");
  Device alice_laptop(stack_, "alice", "laptop");
  Device bob_phone(stack_, "bob", "phone");
  Device bob_tablet(stack_, "bob", "tablet");

  alice_phone.Send(SendTo("bob", "m-1", "hello bob"));

  auto accepted = alice_phone.Await("accepted", 1);
  ASSERT_EQ(accepted.size(), 1u) << stack_.ChatdLog();
  EXPECT_EQ(accepted[0]["seq"], 1);
  EXPECT_EQ(accepted[0]["cmid"], "m-1");
  EXPECT_EQ(accepted[0]["req_id"], "r-m-1");
  EXPECT_FALSE(accepted[0].contains("dup"));   // only a resend says dup
  EXPECT_FALSE(accepted[0].contains("body"));  // the sending device has it
  EXPECT_GT(accepted[0]["ts"].get<int64_t>(), 0);
  for (Device* bob : {&bob_phone, &bob_tablet}) {
    auto got = bob->Await("msg", 1);
    ASSERT_EQ(got.size(), 1u) << bob->device;
    EXPECT_EQ(got[0]["seq"], 1);
    EXPECT_EQ(got[0]["conv"], accepted[0]["conv"]);  // from the topic
    EXPECT_EQ(got[0]["from"], "alice");
    EXPECT_EQ(got[0]["body"], "hello bob");
  }
  auto on_laptop = alice_laptop.Await("msg", 1);
  ASSERT_EQ(on_laptop.size(), 1u);
  EXPECT_EQ(on_laptop[0]["seq"], 1);
  EXPECT_EQ(on_laptop[0]["conv"], accepted[0]["conv"]);
  EXPECT_EQ(on_laptop[0]["dev"], "phone");
  EXPECT_EQ(on_laptop[0]["body"], "hello bob");
  // Nothing of the conversation comes back to the device that sent it but
  // its acceptance.
  for (const Received& r : alice_phone.probe().Messages()) {
    EXPECT_NE(r.topic, "chat/inbox/alice/" + accepted[0]["conv"].get<std::string>()) << r.payload;
  }
}

TEST_P(MessagingTest, ReplyGoesToTheSameConversation) {
  Device alice(stack_, "alice", "phone");
  Device bob(stack_, "bob", "phone");
  alice.Send(SendTo("bob", "a1", "hi"));
  auto first = bob.Await("msg", 1);
  ASSERT_EQ(first.size(), 1u);
  bob.Send(json{{"type", "send"}, {"conv", first[0]["conv"]}, {"cmid", "b1"}, {"body", "hey"}});
  auto reply = alice.Await("msg", 1);
  ASSERT_EQ(reply.size(), 1u);
  EXPECT_EQ(reply[0]["conv"], first[0]["conv"]);
  EXPECT_EQ(reply[0]["seq"], 2);
  EXPECT_EQ(reply[0]["from"], "bob");
}

// What a mosquitto_sub user sees: a compact `send` is answered by a compact
// `accepted`, the recipient gets the compact live `msg` and, after its
// compact `delivered`, the sender the compact `receipt` (PROTOCOL.md section
// 6, "Compact forms"); the object forms of the same commands still work.
TEST_P(MessagingTest, TheCompactFormsTravelAsDocumentedAndTheObjectsStillWork) {
  Device alice(stack_, "alice", "phone");
  Device bob(stack_, "bob", "phone");
  alice.Send(SendTo("bob", "a1", "opens the chat"));  // an object naming `to`
  auto opened = alice.Await("accepted", 1);
  ASSERT_EQ(opened.size(), 1u);
  const std::string conv = opened[0]["conv"];

  alice.SendRaw(R"(["send",")" + conv + R"(","a2","hi \"Bob\""])");
  auto raw_of = [](Device& device, const std::string& topic, const std::string& prefix) {
    auto all = device.probe().WaitFor(
        [&](const auto& got) {
          return std::any_of(got.begin(), got.end(), [&](const auto& r) {
            return r.topic == topic && r.payload.rfind(prefix, 0) == 0;
          });
        },
        10s);
    for (const auto& r : all) {
      if (r.topic == topic && r.payload.rfind(prefix, 0) == 0) return r.payload;
    }
    return std::string();
  };
  std::string accepted = raw_of(alice, "chat/dev/alice/phone", R"(["accepted","a2",2,)");
  ASSERT_FALSE(accepted.empty()) << "no compact accepted for a compact send";
  int64_t ts = nlohmann::json::parse(accepted).at(3).get<int64_t>();
  EXPECT_EQ(accepted, R"(["accepted","a2",2,)" + std::to_string(ts) + "]");
  EXPECT_EQ(raw_of(bob, "chat/inbox/bob/" + conv, R"(["msg",2,)"),
            R"(["msg",2,)" + std::to_string(ts) + R"(,"alice","hi \"Bob\""])");

  bob.SendRaw(R"(["delivered",")" + conv + R"(",2])");
  EXPECT_EQ(raw_of(alice, "chat/inbox/alice/" + conv, R"(["receipt",)"),
            R"(["receipt","bob",2,0])");
  bob.Send(json{{"type", "read"}, {"conv", conv}, {"seq", 2}});
  EXPECT_EQ(raw_of(alice, "chat/inbox/alice/" + conv, R"(["receipt","bob",2,2])"),
            R"(["receipt","bob",2,2])");

  bob.SendRaw(R"(["send",")" + conv + R"(","b1"])");
  auto errors = bob.Await("error", 1);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["code"], "bad_field");
  EXPECT_EQ(errors[0]["cmid"], "b1");
  EXPECT_EQ(stack_.CountRows("messages"), 2) << "nothing stored for the bad compact send";
}

// A thousand commands as fast as one device can publish them is far beyond a
// person's rate limit (PROTOCOL.md section 9): this stack allows the burst.
TEST(MessagingOrderTest, OrderHoldsForAThousandMessages) {
  TestStack stack(
      {.plugin_options = {"limit_device_messages_burst 1000", "limit_user_messages_burst 1000"}});
  Device alice(stack, "alice", "phone");
  Device bob(stack, "bob", "phone");
  constexpr int kCount = 1000;
  for (int i = 0; i < kCount; ++i)
    alice.Send(SendTo("bob", "m" + std::to_string(i), std::to_string(i)));
  auto got = bob.Await("msg", kCount, 60s);
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kCount)) << stack.ChatdLog();
  for (int i = 0; i < kCount; ++i) {
    EXPECT_EQ(got[i]["seq"], i + 1);
    EXPECT_EQ(got[i]["body"], std::to_string(i));
  }
  EXPECT_EQ(stack.CountRows("messages"), kCount);
}

TEST_P(MessagingTest, ResendIsDeduplicated) {
  Device alice(stack_, "alice", "phone");
  Device bob(stack_, "bob", "phone");
  alice.Send(SendTo("bob", "same", "once"));
  ASSERT_EQ(alice.Await("accepted", 1).size(), 1u);
  alice.Send(SendTo("bob", "same", "once"));
  auto accepted = alice.Await("accepted", 2);
  ASSERT_EQ(accepted.size(), 2u);
  EXPECT_EQ(accepted[1]["seq"], accepted[0]["seq"]);
  EXPECT_EQ(accepted[1]["dup"], true);
  alice.Send(SendTo("bob", "next", "twice"));  // a marker after the resend
  auto got = bob.Await("msg", 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]["body"], "once");
  EXPECT_EQ(got[1]["body"], "twice");
  EXPECT_EQ(got[1]["seq"], 2);
  EXPECT_EQ(stack_.CountRows("messages"), 2);
}

TEST_P(MessagingTest, BadInputGetsItsErrorCodeAndChangesNothing) {
  Device alice(stack_, "alice", "phone");
  Device bob(stack_, "bob", "phone");
  stack_.Provision("carol", "pc");
  alice.Send(SendTo("bob", "ok-1", "baseline"));
  ASSERT_EQ(bob.Await("msg", 1).size(), 1u);
  int64_t messages = stack_.CountRows("messages");
  int64_t conversations = stack_.CountRows("conversations");

  struct Case {
    std::string payload;
    std::string code;
  };
  std::vector<Case> cases = {
      {"{not json", "bad_json"},
      {"[]", "bad_json"},
      {"{\"type\":\"send\",\"to\":\"bob\",\"cmid\":\"x\",\"body\":\"\xC3\x28\"}", "invalid_utf8"},
      {R"({"type":"teleport","req_id":"q1"})", "unknown_type"},
      {R"({"req_id":"q2"})", "unknown_type"},
      {R"({"type":"send","req_id":"q3","to":"bob","body":"no cmid"})", "bad_field"},
      {R"({"type":"send","req_id":"q4","to":"BOB/#","cmid":"x","body":"x"})", "bad_field"},
      {R"({"type":"send","req_id":"q5","to":"bob","cmid":"x","body":42})", "bad_field"},
      {R"({"type":"send","req_id":"q6","to":"alice","cmid":"x","body":"me"})", "invalid_recipient"},
      {R"({"type":"send","req_id":"q7","to":"nobody","cmid":"x","body":"?"})", "unknown_user"},
      {R"({"type":"send","req_id":"q8","conv":"cnothere","cmid":"x","body":"?"})",
       "unknown_conversation"},
      {json{{"type", "send"},
            {"req_id", "q9"},
            {"to", "bob"},
            {"cmid", "big"},
            {"body", std::string(16385, 'x')}}
           .dump(),
       "body_too_large"},
  };
  for (const auto& c : cases) alice.SendRaw(c.payload);
  auto errors = alice.Await("error", cases.size());
  ASSERT_EQ(errors.size(), cases.size()) << stack_.ChatdLog();
  for (std::size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(errors[i]["code"], cases[i].code) << cases[i].payload.substr(0, 80);
    EXPECT_FALSE(errors[i].value("message", "").empty());
  }
  EXPECT_EQ(errors[3]["req_id"], "q1");
  EXPECT_EQ(stack_.CountRows("messages"), messages);
  EXPECT_EQ(stack_.CountRows("conversations"), conversations);
  EXPECT_EQ(bob.Await("msg", 2, 300ms).size(), 1u);  // bob saw nothing more
}

TEST_P(MessagingTest, NonMemberCannotPostIntoSomeoneElsesConversation) {
  Device alice(stack_, "alice", "phone");
  Device bob(stack_, "bob", "phone");
  Device carol(stack_, "carol", "pc");
  alice.Send(SendTo("bob", "a1", "private"));
  auto got = bob.Await("msg", 1);
  ASSERT_EQ(got.size(), 1u);
  carol.Send(json{{"type", "send"},
                  {"req_id", "c1"},
                  {"conv", got[0]["conv"]},
                  {"cmid", "c1"},
                  {"body", "intrusion"}});
  auto errors = carol.Await("error", 1);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["code"], "not_member");
  EXPECT_EQ(bob.Await("msg", 2, 300ms).size(), 1u);
  EXPECT_EQ(stack_.CountRows("messages"), 1);
}

TEST_P(MessagingTest, ExplicitConversationCreateReturnsTheSameDirectConversation) {
  Device alice(stack_, "alice", "phone");
  Device bob(stack_, "bob", "phone");
  alice.Send(json{{"type", "conv.create"}, {"req_id", "k1"}, {"with", "bob"}});
  auto reply = alice.Await("conv", 1);
  ASSERT_EQ(reply.size(), 1u);
  EXPECT_EQ(reply[0]["req_id"], "k1");
  EXPECT_EQ(reply[0]["created"], true);
  EXPECT_EQ(reply[0]["members"], json({"alice", "bob"}));
  auto announced = bob.Await("conv.new", 1);
  ASSERT_EQ(announced.size(), 1u);
  EXPECT_EQ(announced[0]["conv"], reply[0]["conv"]);
  bob.Send(SendTo("alice", "b1", "hi"));
  auto accepted = bob.Await("accepted", 1);
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0]["conv"], reply[0]["conv"]);
}

TEST_P(MessagingTest, MessagesSentWhileChatdIsDownAreProcessedWhenResentOnReady) {
  Device alice(stack_, "alice", "phone");
  Device bob(stack_, "bob", "phone");
  alice.Send(SendTo("bob", "before", "1"));
  ASSERT_EQ(bob.Await("msg", 1).size(), 1u);
  stack_.StopChatd();
  alice.Send(SendTo("bob", "during", "2"));  // refused: `unavailable` (chatd_away_test.cc)
  stack_.StartChatd();
  ASSERT_EQ(alice.Await("ready", 1).size(), 1u);
  alice.Send(SendTo("bob", "during", "2"));  // as a device must on `ready`
  auto got = bob.Await("msg", 2, 15s);
  ASSERT_EQ(got.size(), 2u) << stack_.ChatdLog();
  EXPECT_EQ(got[1]["body"], "2");
  EXPECT_EQ(got[1]["seq"], 2);
}

}  // namespace
}  // namespace chat::testing
