// Block, mute and privacy settings over the real broker, plugin and chatd
// (docs/PROTOCOL.md, "Privacy: block, mute, settings").
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "chat/clock.h"
#include "harness/test_device.h"
#include "harness/test_stack.h"

namespace chat::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class PrivacyTest : public ::testing::Test {
 protected:
  // `device` blocks (or unblocks) `user` and gets the list back.
  json Block(TestDevice& device, const std::string& user, bool block = true) {
    json reply = device.Request({{"type", block ? "block" : "unblock"}, {"user", user}}, NextId());
    EXPECT_EQ(reply["type"], "blocks") << reply.dump();
    return reply;
  }
  // The sync reply's entry for `conv`.
  json SyncEntry(TestDevice& device, const std::string& conv) {
    json sync = device.Request({{"type", "sync"}}, NextId());
    for (const auto& entry : sync["convs"]) {
      if (entry["conv"] == conv) return entry;
    }
    ADD_FAILURE() << "no " << conv << " in " << sync.dump();
    return json::object();
  }
  // A req_id not used before: a device's Request finds replies by it.
  std::string NextId() { return "q" + std::to_string(++requests_); }

  TestStack stack_;
  int requests_ = 0;
};

TEST_F(PrivacyTest, BlockedUsersSendIsRefusedAndStoresNothingUntilUnblocked) {
  TestDevice alice(stack_, "alice", "phone");
  TestDevice bob(stack_, "bob", "phone");
  json first = alice.Request(SendTo("bob", "m1", "hi"), "r-m1");
  ASSERT_EQ(first["type"], "accepted") << first.dump();
  std::string conv = first["conv"];
  ASSERT_EQ(bob.Await("msg", 1).size(), 1u);

  EXPECT_EQ(Block(bob, "alice")["users"], json({"alice"}));
  json refused = alice.Request(SendIn(conv, "m2", "still there?"), "r-m2");
  EXPECT_EQ(refused["code"], "blocked") << refused.dump();
  EXPECT_EQ(alice.Request(SendTo("bob", "m3", "hello?"), "r-m3")["code"], "blocked");
  // The blocker cannot write to the one it blocks either.
  EXPECT_EQ(bob.Request(SendIn(conv, "b1", "go away"), "r-b1")["code"], "blocked");
  EXPECT_EQ(stack_.CountRows("messages"), 1);
  EXPECT_EQ(bob.Await("msg", 2, 300ms).size(), 1u);

  EXPECT_EQ(Block(bob, "alice", false)["users"], json::array());
  EXPECT_EQ(alice.Request(SendIn(conv, "m4", "friends again"), "r-m4")["type"], "accepted");
  auto got = bob.Await("msg", 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1]["body"], "friends again");
}

TEST_F(PrivacyTest, BlockedUserCannotOpenADirectConversationWithTheBlocker) {
  TestDevice alice(stack_, "alice", "phone");
  TestDevice bob(stack_, "bob", "phone");
  Block(bob, "alice");
  EXPECT_EQ(alice.Request(SendTo("bob", "m1", "hi"), "r-m1")["code"], "blocked");
  EXPECT_EQ(alice.Request({{"type", "conv.create"}, {"with", "bob"}}, "c1")["code"], "blocked");
  EXPECT_EQ(stack_.CountRows("conversations"), 0);
  EXPECT_EQ(stack_.CountRows("messages"), 0);
  EXPECT_TRUE(bob.Await("conv.new", 1, 300ms).empty());
}

TEST_F(PrivacyTest, BlockingYourselfOrAnUnknownUserIsAnError) {
  TestDevice alice(stack_, "alice", "phone");
  EXPECT_EQ(alice.Request({{"type", "block"}, {"user", "alice"}}, "b1")["code"],
            "invalid_recipient");
  EXPECT_EQ(alice.Request({{"type", "block"}, {"user", "nobody-here"}}, "b2")["code"],
            "unknown_user");
  EXPECT_EQ(alice.Request({{"type", "blocks"}}, "q1")["users"], json::array());
}

TEST_F(PrivacyTest, BlockIsIdempotentAndReachesTheBlockersOtherDevices) {
  stack_.Provision("alice", "phone");
  TestDevice bob_phone(stack_, "bob", "phone");
  TestDevice bob_laptop(stack_, "bob", "laptop");
  Block(bob_phone, "alice");
  EXPECT_EQ(Block(bob_phone, "alice")["users"], json({"alice"}));  // a resend
  auto seen = bob_laptop.Await("blocks", 2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0]["users"], json({"alice"}));
  EXPECT_FALSE(seen[0].contains("req_id"));
  EXPECT_EQ(bob_laptop.Request({{"type", "blocks"}}, "q1")["users"], json({"alice"}));
}

TEST_F(PrivacyTest, UserWhoBlockedTheAdderCannotBeAddedToAGroup) {
  TestDevice alice(stack_, "alice", "phone");
  TestDevice bob(stack_, "bob", "phone");
  stack_.Provision("carol", "phone");
  Block(bob, "alice");
  json create = alice.Request(
      {{"type", "group.create"}, {"title", "Climbing"}, {"members", {"bob", "carol"}}}, "g1");
  EXPECT_EQ(create["code"], "blocked") << create.dump();
  EXPECT_EQ(stack_.CountRows("conversations"), 0);
  json group = alice.Request(
      {{"type", "group.create"}, {"title", "Climbing"}, {"members", {"carol"}}}, "g2");
  ASSERT_EQ(group["type"], "conv") << group.dump();
  std::string conv = group["conv"];
  json add = alice.Request({{"type", "group.add"}, {"conv", conv}, {"users", {"bob"}}}, "g3");
  EXPECT_EQ(add["code"], "blocked") << add.dump();
  EXPECT_EQ(SyncEntry(alice, conv)["members"], json({"alice", "carol"}));
  EXPECT_TRUE(bob.Await("conv.new", 1, 300ms).empty());
}

TEST_F(PrivacyTest, BlockedUsersInOneGroupSeeMessagesButNoTyping) {
  TestDevice alice(stack_, "alice", "phone");
  TestDevice bob(stack_, "bob", "phone");
  TestDevice carol(stack_, "carol", "phone");
  json group = alice.Request(
      {{"type", "group.create"}, {"title", "Climbing"}, {"members", {"bob", "carol"}}}, "g1");
  std::string conv = group["conv"];
  Block(bob, "alice");
  std::this_thread::sleep_for(1s);  // let chatd see bob's and carol's presence
  alice.Send({{"type", "typing"}, {"conv", conv}});
  EXPECT_EQ(carol.Await("typing", 1).size(), 1u);
  EXPECT_TRUE(bob.Await("typing", 1, 500ms).empty());
  EXPECT_EQ(alice.Request(SendIn(conv, "m1", "hello group"), "r-m1")["type"], "accepted");
  auto got = bob.Await("msg", 2);  // group.created, then the message
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1]["body"], "hello group");
}

TEST_F(PrivacyTest, MutedConversationShowsInSyncAndStillDeliversAndCountsUnread) {
  TestDevice alice(stack_, "alice", "phone");
  TestDevice bob(stack_, "bob", "phone");
  TestDevice bob_laptop(stack_, "bob", "laptop");
  std::string conv = alice.Request(SendTo("bob", "m1", "one"), "r-m1")["conv"];
  int64_t until = NowMillis() + 3600 * 1000;
  json muted = bob.Request({{"type", "mute"}, {"conv", conv}, {"until", until}}, "u1");
  EXPECT_EQ(muted,
            json({{"type", "mute"}, {"req_id", "u1"}, {"conv", conv}, {"muted_until", until}}));
  auto other = bob_laptop.Await("mute", 1);
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0]["muted_until"], until);

  alice.Send(SendIn(conv, "m2", "two"));
  auto got = bob.Await("msg", 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1]["body"], "two");
  json entry = SyncEntry(bob, conv);
  EXPECT_EQ(entry["muted_until"], until);
  EXPECT_EQ(entry["unread"], 2);
  EXPECT_FALSE(SyncEntry(alice, conv).contains("muted_until"));  // a mute is one user's

  EXPECT_EQ(bob.Request({{"type", "mute"}, {"conv", conv}}, "u2")["muted_until"], 0);
  json unmuted = bob.Request({{"type", "unmute"}, {"conv", conv}}, "u3");
  EXPECT_FALSE(unmuted.contains("muted_until")) << unmuted.dump();
  EXPECT_FALSE(SyncEntry(bob, conv).contains("muted_until"));
}

TEST_F(PrivacyTest, MuteNeedsMembership) {
  TestDevice alice(stack_, "alice", "phone");
  stack_.Provision("bob", "phone");
  TestDevice carol(stack_, "carol", "phone");
  std::string conv = alice.Request(SendTo("bob", "m1", "one"), "r-m1")["conv"];
  EXPECT_EQ(carol.Request({{"type", "mute"}, {"conv", conv}}, "u1")["code"], "not_member");
}

TEST_F(PrivacyTest, SettingsSetReachesTheUsersOtherDevice) {
  TestDevice phone(stack_, "alice", "phone");
  TestDevice laptop(stack_, "alice", "laptop");
  EXPECT_EQ(laptop.Request({{"type", "settings.get"}}, "q1"), json({{"type", "settings"},
                                                                    {"req_id", "q1"},
                                                                    {"presence", "everyone"},
                                                                    {"read_receipts", true},
                                                                    {"push_preview", "full"}}));
  json set = phone.Request({{"type", "settings.set"}, {"presence", "nobody"}}, "p1");
  EXPECT_EQ(set["presence"], "nobody");
  EXPECT_EQ(set["read_receipts"], true);
  auto seen = laptop.Await("settings", 2);  // its own reply, then the phone's change
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1], json({{"type", "settings"},
                           {"presence", "nobody"},
                           {"read_receipts", true},
                           {"push_preview", "full"}}));
  EXPECT_EQ(laptop.Request({{"type", "settings.get"}}, "q2")["presence"], "nobody");
}

TEST_F(PrivacyTest, ReadReceiptsOffHideReadFromOthersButNotFromOwnDevices) {
  TestDevice alice(stack_, "alice", "phone");
  TestDevice bob(stack_, "bob", "phone");
  TestDevice bob_laptop(stack_, "bob", "laptop");
  std::string conv = alice.Request(SendTo("bob", "m1", "one"), "r-m1")["conv"];
  json set = bob.Request({{"type", "settings.set"}, {"read_receipts", false}}, "p1");
  ASSERT_EQ(set["read_receipts"], false);
  bob.Send({{"type", "read"}, {"conv", conv}, {"seq", 1}});

  auto mine = bob_laptop.Await("receipt", 1);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["read"], 1);
  auto theirs = alice.Await("receipt", 1);
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(theirs[0]["user"], "bob");
  EXPECT_EQ(theirs[0]["delivered"], 1);  // delivered keeps working
  EXPECT_EQ(theirs[0]["read"], 0);
  json who = alice.Request({{"type", "receipts"}, {"conv", conv}, {"seq", 1}}, "q1");
  EXPECT_EQ(who["read"], json::array()) << who.dump();
  EXPECT_EQ(who["delivered"], json({"bob"})) << who.dump();
  EXPECT_EQ(bob.Request({{"type", "receipts"}, {"conv", conv}, {"seq", 1}}, "q2")["read"],
            json({"bob"}));
}

}  // namespace
}  // namespace chat::testing
