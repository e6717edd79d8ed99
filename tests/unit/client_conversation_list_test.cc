// Specification of the conversation list the app shows: sync's word, then
// moved by messages, receipts and membership events.
#include <gtest/gtest.h>

#include "conversation_list.h"

namespace chat::client {
namespace {

ConversationSummary Summary(const std::string& conv, int64_t last, int64_t read, int64_t unread) {
  ConversationSummary c;
  c.conv = conv;
  c.kind = "direct";
  c.members = {"alice", "bob"};
  c.last_seq = last;
  c.read_seq = read;
  c.unread = unread;
  return c;
}

Event Msg(const std::string& from, int64_t seq) {
  Event e;
  e.type = "msg";
  e.conv = "c1";
  e.seq = seq;
  e.from = from;
  return e;
}

TEST(ConversationList, SyncSetsTheListAsTheServerSaysIt) {
  ConversationList list("alice");
  list.ApplySync({Summary("c1", 44, 41, 3), Summary("c2", 7, 7, 0)});
  auto all = list.List();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], Summary("c1", 44, 41, 3));
}

TEST(ConversationList, FindsTheDirectConversationWithAPeerButNotAGroup) {
  ConversationList list("alice");
  ConversationSummary group = Summary("g1", 1, 0, 1);
  group.kind = "group";
  group.members = {"alice", "carol"};
  list.ApplySync({Summary("c1", 44, 41, 3), group});
  EXPECT_EQ(list.DirectWith("bob"), "c1");
  EXPECT_EQ(list.DirectWith("carol"), std::nullopt);
  EXPECT_EQ(list.DirectWith("dave"), std::nullopt);
}

TEST(ConversationList, APeersMessageRaisesUnreadOnce) {
  ConversationList list("alice");
  list.ApplySync({Summary("c1", 44, 41, 3)});
  list.ApplyMessage(Msg("bob", 45));
  list.ApplyMessage(Msg("bob", 45));
  EXPECT_EQ(list.Find("c1")->unread, 4);
  EXPECT_EQ(list.Find("c1")->last_seq, 45);
}

TEST(ConversationList, OwnMessageMeansReadUpToIt) {
  ConversationList list("alice");
  list.ApplySync({Summary("c1", 44, 41, 3)});
  list.ApplyMessage(Msg("alice", 45));
  EXPECT_EQ(list.Find("c1")->unread, 0);
  EXPECT_EQ(list.Find("c1")->read_seq, 45);
}

TEST(ConversationList, OwnReceiptFromAnotherDeviceClearsUnread) {
  ConversationList list("alice");
  list.ApplySync({Summary("c1", 44, 41, 3)});
  Event receipt;
  receipt.type = "receipt";
  receipt.conv = "c1";
  receipt.user = "alice";
  receipt.read = 44;
  list.ApplyEvent(receipt);
  EXPECT_EQ(list.Find("c1")->unread, 0);
  receipt.user = "bob";  // a peer's receipt is about the peer
  receipt.read = 50;
  list.ApplyEvent(receipt);
  EXPECT_EQ(list.Find("c1")->read_seq, 44);
}

TEST(ConversationList, ReadingPartwayLeavesAnUpperBound) {
  ConversationList list("alice");
  list.ApplySync({Summary("c1", 44, 40, 4)});
  list.ApplyRead("c1", 42);
  EXPECT_EQ(list.Find("c1")->unread, 2);
  list.ApplyRead("c1", 41);  // never backwards
  EXPECT_EQ(list.Find("c1")->read_seq, 42);
}

TEST(ConversationList, ConvNewAddsAConversation) {
  ConversationList list("alice");
  Event e;
  e.type = "conv.new";
  e.conv = "c7";
  e.kind = "group";
  e.title = "Climbing";
  e.members = {"alice", "bob"};
  list.ApplyEvent(e);
  ASSERT_NE(list.Find("c7"), nullptr);
  EXPECT_EQ(list.Find("c7")->title, "Climbing");
  EXPECT_TRUE(list.Find("c7")->active);
}

TEST(ConversationList, SystemMessagesChangeMembersRolesAndActivity) {
  ConversationList list("carol");
  Event added = Msg("alice", 2);
  added.kind = "system";
  added.change = {"member.added", {"dave"}, "", "", ""};
  list.ApplyMessage(added);
  Event role = Msg("alice", 3);
  role.kind = "system";
  role.change = {"role.changed", {}, "", "dave", "admin"};
  list.ApplyMessage(role);
  Event removed = Msg("alice", 4);
  removed.kind = "system";
  removed.change = {"member.removed", {"carol"}, "", "", ""};
  list.ApplyMessage(removed);
  const ConversationSummary* c = list.Find("c1");
  EXPECT_EQ(c->members, std::vector<std::string>{"dave"});
  EXPECT_EQ(c->roles.at("dave"), "admin");
  EXPECT_FALSE(c->active);
  EXPECT_EQ(c->unread, 0);  // system messages are not unread messages
}

TEST(ConversationList, AMuteEventSetsAndClearsMutedUntil) {
  ConversationList list("alice");
  list.ApplySync({Summary("c1", 2, 0, 2)});
  Event mute;
  mute.type = "mute";
  mute.conv = "c1";
  mute.muted_until = 0;
  list.ApplyEvent(mute);
  EXPECT_EQ(list.Find("c1")->muted_until, 0);
  mute.muted_until.reset();  // unmuted
  list.ApplyEvent(mute);
  EXPECT_EQ(list.Find("c1")->muted_until, std::nullopt);
  EXPECT_EQ(list.Find("c1")->unread, 2);  // a mute changes no count
}

}  // namespace
}  // namespace chat::client
