// Groups, sync, history, receipts, typing and multi-device over the real
// broker, plugin and chatd (docs/PROTOCOL.md section 5).
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness/test_device.h"
#include "harness/test_stack.h"

namespace chat::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class ConversationsTest : public ::testing::Test {
 protected:
  // alice (owner), bob and carol in a group; returns its id.
  std::string CreateGroup(TestDevice& alice) {
    stack_.Provision("bob", "phone");
    stack_.Provision("carol", "phone");
    json reply = alice.Request(
        {{"type", "group.create"}, {"title", "Climbing"}, {"members", {"bob", "carol"}}}, "g1");
    EXPECT_EQ(reply["type"], "conv") << reply.dump();
    return reply.value("conv", "");
  }
  TestStack stack_;
};

TEST_F(ConversationsTest, GroupMessageReachesEveryDeviceOfEveryMemberWithOneSeq) {
  TestDevice alice(stack_, "alice", "phone");
  std::string conv = CreateGroup(alice);
  TestDevice bob_phone(stack_, "bob", "phone");
  TestDevice bob_tablet(stack_, "bob", "tablet");
  TestDevice carol(stack_, "carol", "phone");
  alice.Send(SendIn(conv, "m1", "hello group"));
  for (TestDevice* d : {&bob_phone, &bob_tablet, &carol}) {
    auto got = d->Await("msg", 1);
    ASSERT_FALSE(got.empty()) << d->user << "/" << d->device;
    json last = got.back();
    EXPECT_EQ(last["body"], "hello group");
    EXPECT_EQ(last["seq"], 2);  // seq 1 is the group.created system message
  }
}

// How many of `events` are system messages of `action`.
std::size_t CountAction(const std::vector<json>& events, const std::string& action) {
  std::size_t n = 0;
  for (const auto& e : events) n += e.contains("event") && e["event"]["action"] == action;
  return n;
}

TEST_F(ConversationsTest, ResentGroupCreateWithTheSameReqIdMakesOneGroup) {
  TestDevice alice(stack_, "alice", "phone");
  stack_.Provision("bob", "phone");
  TestDevice bob(stack_, "bob", "phone");
  json create{
      {"type", "group.create"}, {"req_id", "g1"}, {"title", "Climbing"}, {"members", {"bob"}}};
  json first = alice.Request(create, "g1");
  alice.Send(create);  // an app resending after a reconnect: it never saw the reply
  auto replies = alice.Await("conv", 2);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(first["dup"], false);
  EXPECT_EQ(replies[1]["req_id"], "g1");
  EXPECT_EQ(replies[1]["conv"], first["conv"]);
  EXPECT_EQ(replies[1]["dup"], true);
  EXPECT_EQ(replies[1]["members"], json({"alice", "bob"}));
  EXPECT_EQ(alice.Request({{"type", "sync"}}, "s1")["convs"].size(), 1u);
  EXPECT_EQ(bob.Await("conv.new", 2, 500ms).size(), 1u);
  EXPECT_EQ(CountAction(bob.Await("msg", 2, 500ms), "group.created"), 1u);
}

TEST_F(ConversationsTest, ResentGroupAddWritesOneSystemMessage) {
  TestDevice alice(stack_, "alice", "phone");
  std::string conv = CreateGroup(alice);
  stack_.Provision("dave", "phone");
  TestDevice bob(stack_, "bob", "phone");
  TestDevice dave(stack_, "dave", "phone");
  json add{{"type", "group.add"}, {"conv", conv}, {"users", {"dave"}}};
  json first = alice.Request(add, "a1");
  EXPECT_EQ(first["dup"], false);
  add["req_id"] = "a1";
  alice.Send(add);
  auto replies = alice.Await("conv", 3);  // group.create's, the add's and the resend's
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[2]["conv"], conv);
  EXPECT_EQ(replies[2]["dup"], true);
  EXPECT_EQ(replies[2]["members"], json({"alice", "bob", "carol", "dave"}));
  EXPECT_EQ(CountAction(bob.Await("msg", 2, 500ms), "member.added"), 1u);
  EXPECT_EQ(dave.Await("conv.new", 2, 500ms).size(), 1u);
  json history = alice.Request({{"type", "history"}, {"conv", conv}}, "h1");
  EXPECT_EQ(history["messages"].size(), 2u);  // group.created, member.added
}

TEST_F(ConversationsTest, RemovedMemberReceivesNothingAfterRemovalAndCannotReadPastIt) {
  TestDevice alice(stack_, "alice", "phone");
  std::string conv = CreateGroup(alice);
  TestDevice bob(stack_, "bob", "phone");
  json removed =
      alice.Request({{"type", "group.remove"}, {"conv", conv}, {"users", {"bob"}}}, "g2");
  EXPECT_EQ(removed["members"], json({"alice", "carol"}));
  auto notice = bob.Await("msg", 1);
  ASSERT_EQ(notice.size(), 1u);
  EXPECT_EQ(notice[0]["event"]["action"], "member.removed");
  alice.Send(SendIn(conv, "after", "not for bob"));
  ASSERT_EQ(alice.Await("accepted", 1).size(), 1u);
  EXPECT_EQ(bob.Await("msg", 2, 500ms).size(), 1u);
  json history = bob.Request({{"type", "history"}, {"conv", conv}}, "h1");
  for (const auto& m : history["messages"]) EXPECT_NE(m["body"], "not for bob");
  json post = bob.Request(SendIn(conv, "b1", "let me in"), "p1");
  EXPECT_EQ(post["code"], "not_member");
}

TEST_F(ConversationsTest, RemovedMemberLearnsNothingAndChangesNothingAfterRemoval) {
  TestDevice alice(stack_, "alice", "phone");
  std::string conv = CreateGroup(alice);
  TestDevice bob(stack_, "bob", "phone");
  TestDevice carol(stack_, "carol", "phone");
  alice.Request({{"type", "group.remove"}, {"conv", conv}, {"users", {"bob"}}}, "g2");
  json after = alice.Request(SendIn(conv, "after", "not for bob"), "r-after");
  ASSERT_EQ(after["type"], "accepted") << after.dump();
  int64_t seq = after["seq"];
  auto code = [&](json command, const std::string& req_id) {
    command["conv"] = conv;
    return bob.Request(command, req_id)["code"];
  };
  EXPECT_EQ(code({{"type", "receipts"}, {"seq", seq}}, "q1"), "not_member");
  EXPECT_EQ(code({{"type", "receipts"}, {"seq", 1}}, "q2"), "not_member");
  EXPECT_EQ(code({{"type", "read"}, {"seq", seq}}, "q3"), "not_member");
  EXPECT_EQ(code({{"type", "delivered"}, {"seq", seq}}, "q4"), "not_member");
  EXPECT_EQ(code({{"type", "typing"}}, "q5"), "not_member");
  // Nothing of bob's reached the members: no receipt moved, no typing relayed.
  for (TestDevice* member : {&alice, &carol}) {
    for (const auto& r : member->Await("receipt", 100, 500ms)) EXPECT_NE(r["user"], "bob");
    EXPECT_TRUE(member->Await("typing", 1, 1ms).empty());
  }
}

TEST_F(ConversationsTest, NonMemberCannotReadOrPost) {
  TestDevice alice(stack_, "alice", "phone");
  std::string conv = CreateGroup(alice);
  TestDevice mallory(stack_, "mallory", "pc");
  EXPECT_EQ(mallory.Request({{"type", "history"}, {"conv", conv}}, "h")["code"], "not_member");
  EXPECT_EQ(mallory.Request(SendIn(conv, "x", "hi"), "s")["code"], "not_member");
  EXPECT_EQ(
      mallory.Request({{"type", "group.add"}, {"conv", conv}, {"users", {"mallory"}}}, "a")["code"],
      "not_member");
  json sync = mallory.Request({{"type", "sync"}}, "y");
  EXPECT_TRUE(sync["convs"].empty());
}

TEST_F(ConversationsTest, OfflineDeviceCatchesUpCompletelyBySyncInPages) {
  TestDevice alice(stack_, "alice", "phone");
  stack_.Provision("bob", "laptop");
  constexpr int kConversations = 5;
  constexpr int kPerConversation = 60;
  for (int c = 0; c < kConversations; ++c) {
    std::string peer = "peer" + std::to_string(c);
    stack_.Provision(peer, "phone");
    TestDevice sender(stack_, peer, "phone");
    for (int i = 0; i < kPerConversation; ++i) {
      sender.Send(SendTo("bob", "m" + std::to_string(i), peer + ":" + std::to_string(i)));
    }
    ASSERT_EQ(sender.Await("accepted", kPerConversation, 30s).size(),
              std::size_t{kPerConversation});
  }
  TestDevice bob(stack_, "bob", "laptop");  // a new device: no cursors
  json cursors = json::object();
  std::map<std::string, std::vector<int64_t>> seqs;
  int pages = 0;
  auto started = std::chrono::steady_clock::now();
  for (; pages < 20; ++pages) {
    json reply = bob.Request({{"type", "sync"}, {"cursors", cursors}, {"limit", 100}},
                             "s" + std::to_string(pages));
    ASSERT_EQ(reply["type"], "sync") << reply.dump().substr(0, 300);
    for (const auto& m : reply["messages"]) seqs[m["conv"]].push_back(m["seq"]);
    cursors = reply["cursors"];
    if (!reply["more"].get<bool>()) break;
  }
  auto elapsed = std::chrono::steady_clock::now() - started;
  RecordProperty(
      "sync_ms",
      static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
  EXPECT_EQ(pages + 1, kConversations * kPerConversation / 100);
  ASSERT_EQ(seqs.size(), std::size_t{kConversations});
  for (const auto& [conv, list] : seqs) {
    ASSERT_EQ(list.size(), std::size_t{kPerConversation}) << conv;
    for (int i = 0; i < kPerConversation; ++i) EXPECT_EQ(list[i], i + 1);
  }
}

TEST_F(ConversationsTest, ReadingOnOneDeviceClearsUnreadOnAllAndTicksReachTheSender) {
  TestDevice alice(stack_, "alice", "phone");
  TestDevice bob_phone(stack_, "bob", "phone");
  TestDevice bob_laptop(stack_, "bob", "laptop");
  alice.Send(SendTo("bob", "m1", "one"));
  alice.Send(SendTo("bob", "m2", "two"));
  auto got = bob_phone.Await("msg", 2);
  ASSERT_EQ(got.size(), 2u);
  std::string conv = got[0]["conv"];
  bob_phone.Send({{"type", "read"}, {"conv", conv}, {"seq", 2}});
  for (TestDevice* d : {&alice, &bob_laptop}) {
    auto receipts = d->Await("receipt", 1);
    ASSERT_EQ(receipts.size(), 1u) << d->user << "/" << d->device;
    EXPECT_EQ(receipts[0]["user"], "bob");
    EXPECT_EQ(receipts[0]["read"], 2);
    EXPECT_EQ(receipts[0]["delivered"], 2);
  }
  json sync = bob_laptop.Request({{"type", "sync"}, {"cursors", {{conv, 2}}}}, "s1");
  EXPECT_EQ(sync["convs"][0]["unread"], 0);
  json who = alice.Request({{"type", "receipts"}, {"conv", conv}, {"seq", 2}}, "w1");
  EXPECT_EQ(who["read"], json({"bob"}));
}

TEST_F(ConversationsTest, AGroupReadTicksTheSenderAndTheReadersDevicesOnly) {
  TestDevice alice(stack_, "alice", "phone");
  std::string conv = CreateGroup(alice);
  TestDevice bob_phone(stack_, "bob", "phone");
  TestDevice bob_laptop(stack_, "bob", "laptop");
  TestDevice carol(stack_, "carol", "phone");
  alice.Send(SendIn(conv, "m1", "hello group"));
  ASSERT_EQ(bob_phone.Await("msg", 1).size(), 1u);
  bob_phone.Send({{"type", "read"}, {"conv", conv}, {"seq", 2}});
  for (TestDevice* d : {&alice, &bob_laptop}) {
    auto receipts = d->Await("receipt", 1);
    ASSERT_EQ(receipts.size(), 1u) << d->user << "/" << d->device;
    EXPECT_EQ(receipts[0]["user"], "bob");
    EXPECT_EQ(receipts[0]["read"], 2);
  }
  // carol sent nothing bob read: no event for her, but she may ask.
  EXPECT_TRUE(carol.Await("receipt", 1, 300ms).empty());
  json who = carol.Request({{"type", "receipts"}, {"conv", conv}, {"seq", 2}}, "w1");
  EXPECT_EQ(who["read"], json({"bob"}));
}

TEST_F(ConversationsTest, ReadMarkerAheadOfMessagesIsClampedNeverAnError) {
  TestDevice alice(stack_, "alice", "phone");
  TestDevice bob(stack_, "bob", "phone");
  alice.Send(SendTo("bob", "m1", "one"));
  auto got = bob.Await("msg", 1);
  ASSERT_EQ(got.size(), 1u);
  bob.Send({{"type", "read"}, {"conv", got[0]["conv"]}, {"seq", 1000}});
  auto receipts = alice.Await("receipt", 1);
  ASSERT_EQ(receipts.size(), 1u);
  EXPECT_EQ(receipts[0]["read"], 1);
  EXPECT_TRUE(bob.Await("error", 1, 300ms).empty());
}

TEST_F(ConversationsTest, HistoryPagesBackwardsFromAnySeq) {
  TestDevice alice(stack_, "alice", "phone");
  TestDevice bob(stack_, "bob", "phone");
  for (int i = 1; i <= 30; ++i)
    alice.Send(SendTo("bob", "m" + std::to_string(i), std::to_string(i)));
  auto accepted = alice.Await("accepted", 30);
  ASSERT_EQ(accepted.size(), 30u);
  std::string conv = accepted[0]["conv"];
  json page =
      bob.Request({{"type", "history"}, {"conv", conv}, {"before", 21}, {"limit", 10}}, "h1");
  ASSERT_EQ(page["messages"].size(), 10u);
  EXPECT_EQ(page["messages"].front()["seq"], 11);
  EXPECT_EQ(page["messages"].back()["seq"], 20);
  EXPECT_EQ(page["more"], true);
  json first = bob.Request({{"type", "history"}, {"conv", conv}, {"before", 3}}, "h2");
  EXPECT_EQ(first["messages"].size(), 2u);
  EXPECT_EQ(first["more"], false);
}

TEST_F(ConversationsTest, HistoryOfLargeMessagesIsCutToFitOnePacketAndSaysMore) {
  TestDevice alice(stack_, "alice", "phone");
  TestDevice bob(stack_, "bob", "phone");
  const std::string body(16000, 'x');  // 80 of them: over the 1 MiB packet limit
  for (int i = 1; i <= 80; ++i) alice.Send(SendTo("bob", "big" + std::to_string(i), body));
  auto accepted = alice.Await("accepted", 80, 30s);
  ASSERT_EQ(accepted.size(), 80u);
  std::string conv = accepted[0]["conv"];
  json newest = bob.Request({{"type", "history"}, {"conv", conv}, {"limit", 80}}, "h1");
  ASSERT_EQ(newest["type"], "history") << newest.value("code", "");
  std::size_t got = newest["messages"].size();
  EXPECT_GT(got, 30u);
  EXPECT_LT(got, 80u);  // the newest that fit, not an error
  EXPECT_EQ(newest["messages"].back()["seq"], 80);
  EXPECT_EQ(newest["more"], true);
  int64_t oldest = newest["messages"].front()["seq"];
  json rest =
      bob.Request({{"type", "history"}, {"conv", conv}, {"before", oldest}, {"limit", 80}}, "h2");
  ASSERT_EQ(rest["messages"].size(), static_cast<std::size_t>(oldest - 1));
  EXPECT_EQ(rest["more"], false);
}

TEST_F(ConversationsTest, TypingReachesOnlyConnectedOtherMembersAndIsRateLimited) {
  TestDevice alice(stack_, "alice", "phone");
  std::string conv = CreateGroup(alice);  // bob and carol are members, carol never connects
  TestDevice bob(stack_, "bob", "phone");
  std::this_thread::sleep_for(1s);  // let chatd see bob's presence
  alice.Send({{"type", "typing"}, {"conv", conv}});
  alice.Send({{"type", "typing"}, {"conv", conv}});  // within 2 s: shed
  auto typing = bob.Await("typing", 2, 1500ms);
  ASSERT_EQ(typing.size(), 1u);
  EXPECT_EQ(typing[0], json({{"type", "typing"}, {"user", "alice"}, {"conv", conv}}));
  EXPECT_TRUE(alice.Await("typing", 1, 300ms).empty());  // never echoed to the typist
  json history = alice.Request({{"type", "history"}, {"conv", conv}}, "h");
  for (const auto& m : history["messages"]) EXPECT_EQ(m["kind"], "system");  // never stored
}

}  // namespace
}  // namespace chat::testing
