// Specification of how the client reads the group, receipt, typing, sync
// and history events (PROTOCOL.md sections 5 and 6) and how it shows them.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "chat/client/event.h"

namespace chat::client {
namespace {

TEST(ParseEvent, SystemMessageCarriesItsChange) {
  Event e = ParseEvent(
      R"({"type":"msg","conv":"c7a","seq":7,"ts":1,"from":"alice","dev":"phone","cmid":"g3",)"
      R"("kind":"system","event":{"action":"member.removed","users":["carol"]},"body":""})");
  ASSERT_EQ(e.type, "msg") << e.message;
  EXPECT_TRUE(e.IsSystem());
  EXPECT_EQ(e.change.action, "member.removed");
  EXPECT_EQ(e.change.users, std::vector<std::string>{"carol"});
}

TEST(ParseEvent, SystemMessageWithoutItsEventIsInvalid) {
  Event e = ParseEvent(R"({"type":"msg","conv":"c7a","seq":7,"ts":1,"from":"alice","dev":"p",)"
                       R"("cmid":"g3","kind":"system","body":""})");
  EXPECT_EQ(e.type, "invalid");
  EXPECT_NE(e.message.find("'event'"), std::string::npos);
}

TEST(ParseEvent, GroupConvCarriesTitleAndRoles) {
  Event e = ParseEvent(R"({"type":"conv","req_id":"g1","conv":"c7a","kind":"group",)"
                       R"("title":"Climbing","members":["alice","bob"],)"
                       R"("roles":{"alice":"owner","bob":"member"},"created":true})");
  EXPECT_EQ(e.title, "Climbing");
  EXPECT_EQ(e.roles.at("alice"), "owner");
}

TEST(ParseEvent, ReceiptCarriesTheUsersCursors) {
  Event e = ParseEvent(R"({"type":"receipt","conv":"c5","user":"bob","delivered":44,"read":41})");
  EXPECT_EQ(e.user, "bob");
  EXPECT_EQ(e.delivered, 44);
  EXPECT_EQ(e.read, 41);
}

TEST(ParseEvent, ReceiptsReplyListsReadersAndReceivers) {
  Event e = ParseEvent(R"({"type":"receipts","req_id":"r7","conv":"c7a","seq":12,)"
                       R"("read":["bob"],"delivered":["bob","carol"]})");
  EXPECT_EQ(e.read_by, std::vector<std::string>{"bob"});
  EXPECT_EQ(e.delivered_to, (std::vector<std::string>{"bob", "carol"}));
}

TEST(ParseEvent, TypingNamesUserAndDevice) {
  Event e = ParseEvent(R"({"type":"typing","conv":"c5","user":"alice","dev":"phone"})");
  EXPECT_EQ(e.type, "typing");
  EXPECT_EQ(e.user, "alice");
  EXPECT_EQ(e.dev, "phone");
}

TEST(ParseEvent, SyncCarriesConversationsMessagesAndCursors) {
  Event e =
      ParseEvent(R"({"type":"sync","req_id":"s1","more":false,)"
                 R"("convs":[{"conv":"c5","kind":"direct","members":["alice","bob"],"last_seq":44,)"
                 R"("read_seq":41,"unread":3,"active":true}],)"
                 R"("messages":[{"type":"msg","conv":"c5","seq":42,"ts":1,"from":"bob","dev":"d",)"
                 R"("cmid":"m","body":"x"}],"cursors":{"c5":44,"c7a":7}})");
  ASSERT_EQ(e.type, "sync") << e.message;
  ASSERT_EQ(e.convs.size(), 1u);
  EXPECT_EQ(e.convs[0].unread, 3);
  EXPECT_EQ(e.convs[0].last_seq, 44);
  ASSERT_EQ(e.messages.size(), 1u);
  EXPECT_EQ(e.messages[0].seq, 42);
  EXPECT_EQ(e.messages[0].raw,
            R"({"body":"x","cmid":"m","conv":"c5","dev":"d","from":"bob","seq":42,"ts":1,)"
            R"("type":"msg"})");
  EXPECT_EQ(e.cursors, (std::map<std::string, int64_t>{{"c5", 44}, {"c7a", 7}}));
  EXPECT_FALSE(e.more);
}

TEST(ParseEvent, SyncWithAMalformedMessageIsInvalid) {
  Event e = ParseEvent(R"({"type":"sync","more":false,"convs":[],"cursors":{},)"
                       R"("messages":[{"type":"msg","conv":"c5","seq":0}]})");
  EXPECT_EQ(e.type, "invalid");
  EXPECT_NE(e.message.find("messages[0]"), std::string::npos);
}

TEST(ParseEvent, SyncWithoutCursorsIsInvalid) {
  Event e = ParseEvent(R"({"type":"sync","more":false,"convs":[],"messages":[]})");
  EXPECT_EQ(e.type, "invalid");
}

TEST(ParseEvent, HistoryCarriesItsPage) {
  Event e = ParseEvent(
      R"({"type":"history","req_id":"h1","conv":"c5","more":true,"messages":[)"
      R"({"type":"msg","conv":"c5","seq":39,"ts":1,"from":"bob","dev":"d","cmid":"m","body":"x"}]})");
  ASSERT_EQ(e.type, "history") << e.message;
  EXPECT_TRUE(e.more);
  ASSERT_EQ(e.messages.size(), 1u);
  EXPECT_EQ(e.messages[0].seq, 39);
}

TEST(FormatEventLine, SystemMessageShowsTheChange) {
  Event e = ParseEvent(
      R"({"type":"msg","conv":"c7","seq":2,"ts":1,"from":"alice","dev":"phone","cmid":"g",)"
      R"("kind":"system","event":{"action":"member.added","users":["dave"]},"body":""})");
  EXPECT_EQ(FormatEventLine(e), "[c7 #2] * alice member.added: dave");
}

TEST(FormatEventLine, LocalEventsSayWhatHappened) {
  EXPECT_EQ(FormatEventLine(MakeLocalEvent("connection.restored", "reconnected")),
            "[connection restored] reconnected");
  EXPECT_EQ(FormatEventLine(MakeLocalEvent("sync.failed", "no", "internal")),
            "[sync failed internal] no");
}

TEST(ParseEvent, PrivacyRepliesCarryTheWholeState) {
  Event blocks = ParseEvent(R"({"type":"blocks","req_id":"p1","users":["mallory","trent"]})");
  ASSERT_EQ(blocks.type, "blocks") << blocks.message;
  EXPECT_EQ(blocks.users, (std::vector<std::string>{"mallory", "trent"}));
  Event muted = ParseEvent(R"({"type":"mute","conv":"c7","muted_until":0})");
  EXPECT_EQ(muted.muted_until, 0);
  EXPECT_EQ(ParseEvent(R"({"type":"mute","conv":"c7"})").muted_until, std::nullopt);
  Event settings = ParseEvent(R"({"type":"settings","presence":"contacts","read_receipts":false})");
  EXPECT_EQ(settings.presence, "contacts");
  EXPECT_FALSE(settings.read_receipts);
  EXPECT_EQ(ParseEvent(R"({"type":"settings","presence":"nobody"})").type, "invalid");
  EXPECT_EQ(FormatEventLine(settings), "[settings] presence: contacts, read receipts: off");
  EXPECT_EQ(FormatEventLine(muted), "[c7] muted until unmuted");
  EXPECT_EQ(FormatEventLine(blocks), "[blocks] mallory, trent");
}

TEST(ParseEvent, SyncEntryCarriesMutedUntilOnlyWhenMuted) {
  Event e =
      ParseEvent(R"({"type":"sync","convs":[)"
                 R"({"conv":"c1","kind":"direct","members":["a","b"],"last_seq":2,"read_seq":0,)"
                 R"("unread":2,"active":true,"muted_until":1700003600000},)"
                 R"({"conv":"c2","kind":"direct","members":["a","c"],"last_seq":1,"read_seq":1,)"
                 R"("unread":0,"active":true}],"messages":[],"cursors":{},"more":false})");
  ASSERT_EQ(e.convs.size(), 2u) << e.message;
  EXPECT_EQ(e.convs[0].muted_until, 1700003600000);
  EXPECT_EQ(e.convs[1].muted_until, std::nullopt);
}

TEST(ParseEvent, PresenceCarriesEachUsersState) {
  Event e =
      ParseEvent(R"({"type":"presence","req_id":"w1","users":[{"user":"bob","state":"online"},)"
                 R"({"user":"carol","state":"offline","last_seen":1700000000000}]})");
  ASSERT_EQ(e.type, "presence") << e.message;
  EXPECT_EQ(e.req_id, "w1");
  EXPECT_EQ(e.people,
            (std::vector<UserPresence>{{"bob", "online", 0}, {"carol", "offline", 1700000000000}}));
  EXPECT_EQ(FormatEventLine(e),
            "[presence] bob online, carol offline (last seen 2023-11-14 22:13:20 UTC)");
  EXPECT_EQ(ParseEvent(R"({"type":"presence","users":[{"user":"bob"}]})").type, "invalid");
  EXPECT_EQ(ParseEvent(R"({"type":"presence","users":["bob"]})").type, "invalid");
  EXPECT_EQ(ParseEvent(R"({"type":"presence"})").type, "invalid");
}

TEST(ParseEvent, PushReplyTellsTheRegistration) {
  Event e = ParseEvent(R"({"type":"push","req_id":"r1","registered":true,"platform":"apns",)"
                       R"("app":"com.example.chat","sandbox":true})");
  ASSERT_EQ(e.type, "push") << e.message;
  EXPECT_EQ(e.req_id, "r1");
  EXPECT_TRUE(e.registered);
  EXPECT_EQ(e.platform, "apns");
  EXPECT_EQ(e.app, "com.example.chat");
  EXPECT_TRUE(e.sandbox);
  EXPECT_EQ(FormatEventLine(e), "[push] registered: apns app com.example.chat (sandbox)");
  Event gone = ParseEvent(R"({"type":"push","req_id":"r2","registered":false})");
  EXPECT_FALSE(gone.registered);
  EXPECT_EQ(FormatEventLine(gone), "[push] not registered");
  EXPECT_EQ(ParseEvent(R"({"type":"push","req_id":"r3"})").type, "invalid");
  EXPECT_EQ(ParseEvent(R"({"type":"push","registered":"yes"})").type, "invalid");
}

TEST(ParseEvent, SettingsCarryThePushPreviewWhenTheServerSendsIt) {
  Event e = ParseEvent(
      R"({"type":"settings","presence":"everyone","read_receipts":true,"push_preview":"none"})");
  EXPECT_EQ(e.push_preview, "none");
  EXPECT_EQ(FormatEventLine(e),
            "[settings] presence: everyone, read receipts: on, push preview: none");
}

}  // namespace
}  // namespace chat::client
