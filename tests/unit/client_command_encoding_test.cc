// Specification of the commands the client publishes (PROTOCOL.md section 5)
// and of the ids it makes.
#include <gtest/gtest.h>

#include <set>
#include <string_view>

#include "chat/ids.h"
#include "command_encoding.h"

namespace chat::client {
namespace {

SendRequest Request(std::string to, std::string conv, std::string body,
                    std::optional<std::string> cmid = "m1",
                    std::optional<std::string> req_id = std::nullopt) {
  return SendRequest{std::move(to), std::move(conv), std::move(body), std::move(cmid),
                     std::move(req_id)};
}

TEST(EncodeSend, ToUserMatchesTheProtocolExampleByteForByte) {
  EXPECT_EQ(EncodeSend(Request("bob", "", "hi Bob", "7f0c1c3e-1", "r1")),
            R"({"type":"send","req_id":"r1","to":"bob","cmid":"7f0c1c3e-1","body":"hi Bob"})");
}

TEST(EncodeSend, WithoutReqIdToAConversationIsCompact) {
  EXPECT_EQ(EncodeSend(Request("", "c5d2f", "again", "7f0c1c3e-2")),
            R"(["send","c5d2f","7f0c1c3e-2","again"])");
}

TEST(EncodeSend, ToConversationMatchesTheProtocolExampleByteForByte) {
  EXPECT_EQ(EncodeSend(Request("", "c5d2f", "again", "7f0c1c3e-2", "r2")),
            R"({"type":"send","req_id":"r2","conv":"c5d2f","cmid":"7f0c1c3e-2","body":"again"})");
}

TEST(EncodeSend, OmitsReqIdWhenTheRequestHasNone) {
  EXPECT_EQ(EncodeSend(Request("bob", "", "hi")),
            R"({"type":"send","to":"bob","cmid":"m1","body":"hi"})");
}

TEST(EncodeSend, EscapesJsonAndKeepsUtf8AsIs) {
  EXPECT_EQ(EncodeSend(Request("bob", "", "say \"h\xc3\xa9\"\n\\")),
            "{\"type\":\"send\",\"to\":\"bob\",\"cmid\":\"m1\",\"body\":\"say "
            "\\\"h\xc3\xa9\\\"\\n\\\\\"}");
}

TEST(EncodeConvCreate, MatchesTheProtocolExampleByteForByte) {
  EXPECT_EQ(EncodeConvCreate("r3", "bob"), R"({"type":"conv.create","req_id":"r3","with":"bob"})");
}

TEST(ValidateSend, AcceptsAWellFormedSend) {
  EXPECT_TRUE(ValidateSend(Request("bob", "", "hi", "m1", "r1")).ok());
  EXPECT_TRUE(ValidateSend(Request("", "c5d2f", "")).ok());
}

TEST(ValidateSend, RequiresExactlyOneOfToAndConv) {
  EXPECT_EQ(ValidateSend(Request("", "", "hi")).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ValidateSend(Request("bob", "c1", "hi")).code(), Status::Code::kInvalidArgument);
}

TEST(ValidateSend, RejectsIdsOutsideTheProtocolFormats) {
  EXPECT_FALSE(ValidateSend(Request("Bob", "", "hi")).ok());
  EXPECT_FALSE(ValidateSend(Request("", "c/1", "hi")).ok());
  EXPECT_FALSE(ValidateSend(Request("bob", "", "hi", "has space")).ok());
  EXPECT_FALSE(ValidateSend(Request("bob", "", "hi", std::string(65, 'a'))).ok());
  EXPECT_FALSE(ValidateSend(Request("bob", "", "hi", "m1", "r#1")).ok());
  EXPECT_FALSE(ValidateSend(Request("bob", "", "hi", "m1", "")).ok());
}

TEST(ValidateSend, RequiresACmid) {
  EXPECT_FALSE(ValidateSend(Request("bob", "", "hi", std::nullopt)).ok());
}

TEST(ValidateSend, RejectsABodyThatIsNotUtf8) {
  Status status = ValidateSend(Request("bob", "", "bad \xff byte"));
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("UTF-8"), std::string::npos);
}

// True when every character of `text` matches `pattern`, where 'x' stands for
// a lowercase hex digit, 'b' for a base62 digit [0-9A-Za-z], and anything
// else for itself. (std::regex trips a GCC 12 warning under ASan.)
bool MatchesShape(std::string_view text, std::string_view pattern) {
  if (text.size() != pattern.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    bool base62 = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool ok = pattern[i] == 'x' ? hex : pattern[i] == 'b' ? base62 : c == pattern[i];
    if (!ok) return false;
  }
  return true;
}

TEST(NewClientMessageId, IsElevenBase62DigitsThatTheProtocolAccepts) {
  for (int i = 0; i < 100; ++i) {
    std::string id = NewClientMessageId();
    EXPECT_TRUE(MatchesShape(id, "bbbbbbbbbbb")) << id;
    EXPECT_TRUE(IsValidClientToken(id)) << id;
  }
}

TEST(NewClientMessageId, DoesNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) EXPECT_TRUE(seen.insert(NewClientMessageId()).second);
}

TEST(NewRequestId, IsRFollowedBySixteenHexDigits) {
  std::string id = NewRequestId();
  EXPECT_TRUE(MatchesShape(id, "rxxxxxxxxxxxxxxxx")) << id;
  EXPECT_TRUE(IsValidClientToken(id));
  EXPECT_NE(NewRequestId(), NewRequestId());
}

}  // namespace
}  // namespace chat::client

namespace chat::client {
namespace {

TEST(EncodeGroup, CommandsMatchTheProtocolExamplesByteForByte) {
  EXPECT_EQ(
      EncodeGroupCreate("g1", "Climbing", {"bob", "carol"}),
      R"({"type":"group.create","req_id":"g1","title":"Climbing","members":["bob","carol"]})");
  EXPECT_EQ(EncodeGroupMembers("group.add", "g2", "c7a", {"dave"}),
            R"({"type":"group.add","req_id":"g2","conv":"c7a","users":["dave"]})");
  EXPECT_EQ(EncodeGroupLeave("g4", "c7a"), R"({"type":"group.leave","req_id":"g4","conv":"c7a"})");
  EXPECT_EQ(EncodeGroupRole("g5", "c7a", "bob", "admin"),
            R"({"type":"group.role","req_id":"g5","conv":"c7a","user":"bob","role":"admin"})");
}

TEST(ValidateGroup, ChecksTitleUsersAndRole) {
  EXPECT_TRUE(ValidateGroupCreate("Climbing", {"bob"}).ok());
  EXPECT_FALSE(ValidateGroupCreate("", {"bob"}).ok());
  EXPECT_FALSE(ValidateGroupCreate(std::string(201, 't'), {"bob"}).ok());
  EXPECT_FALSE(ValidateGroupCreate("t", {}).ok());
  EXPECT_FALSE(ValidateGroupCreate("t", {"Bob"}).ok());
  EXPECT_FALSE(ValidateGroupMembers("c/1", {"bob"}).ok());
  EXPECT_TRUE(ValidateGroupRole("c1", "bob", "member").ok());
  EXPECT_FALSE(ValidateGroupRole("c1", "bob", "owner").ok());
}

TEST(EncodeSync, CarriesEveryCursorAndTheLimit) {
  EXPECT_EQ(EncodeSync("s1", {{"c5d2f", 41}, {"c7a", 7}}, 1000),
            R"({"type":"sync","req_id":"s1","cursors":{"c5d2f":41,"c7a":7},"limit":1000})");
  EXPECT_EQ(EncodeSync("s2", {}, 10), R"({"type":"sync","req_id":"s2","cursors":{},"limit":10})");
}

TEST(EncodeHistory, OmitsBeforeAndLimitWhenNotGiven) {
  EXPECT_EQ(EncodeHistory("h1", "c5", 40, 50),
            R"({"type":"history","req_id":"h1","conv":"c5","before":40,"limit":50})");
  EXPECT_EQ(EncodeHistory("h2", "c5", 0, 0), R"({"type":"history","req_id":"h2","conv":"c5"})");
  EXPECT_FALSE(ValidateHistory("c5", -1, 0).ok());
  EXPECT_FALSE(ValidateHistory("c5", 0, 501).ok());
}

TEST(EncodeReceipts, CursorsQueriesAndTypingMatchTheProtocol) {
  EXPECT_EQ(EncodeCursor("delivered", "c5", 44), R"(["delivered","c5",44])");
  EXPECT_EQ(EncodeCursor("read", "c5", 44), R"(["read","c5",44])");
  EXPECT_EQ(EncodeReceipts("r7", "c7a", 12),
            R"({"type":"receipts","req_id":"r7","conv":"c7a","seq":12})");
  EXPECT_EQ(EncodeTyping("c5"), R"({"type":"typing","conv":"c5"})");
  EXPECT_FALSE(ValidateConvSeq("c5", 0).ok());
}

TEST(EncodePrivacy, BlockMuteAndSettingsMatchTheProtocol) {
  EXPECT_EQ(EncodeBlock("block", "p1", "mallory"),
            R"({"type":"block","req_id":"p1","user":"mallory"})");
  EXPECT_EQ(EncodeBlock("unblock", "p2", "mallory"),
            R"({"type":"unblock","req_id":"p2","user":"mallory"})");
  EXPECT_EQ(EncodeQuery("blocks", "p3"), R"({"type":"blocks","req_id":"p3"})");
  EXPECT_EQ(EncodeMute("mute", "p4", "c7a", 1700003600000),
            R"({"type":"mute","req_id":"p4","conv":"c7a","until":1700003600000})");
  EXPECT_EQ(EncodeMute("mute", "p5", "c7a", 0), R"({"type":"mute","req_id":"p5","conv":"c7a"})");
  EXPECT_EQ(EncodeMute("unmute", "p6", "c7a", 0),
            R"({"type":"unmute","req_id":"p6","conv":"c7a"})");
  EXPECT_EQ(EncodeSettingsSet("p7", {"contacts", false}),
            R"({"type":"settings.set","req_id":"p7","presence":"contacts","read_receipts":false})");
  EXPECT_EQ(EncodeSettingsSet("p8", {{}, true}),
            R"({"type":"settings.set","req_id":"p8","read_receipts":true})");
  EXPECT_EQ(EncodeQuery("settings.get", "p9"), R"({"type":"settings.get","req_id":"p9"})");
}

TEST(EncodePrivacy, InvalidRequestsAreRefusedBeforeSending) {
  EXPECT_FALSE(ValidateUser("Mallory!").ok());
  EXPECT_FALSE(ValidateMute("c/1", 0).ok());
  EXPECT_FALSE(ValidateMute("c1", -1).ok());
  EXPECT_FALSE(ValidateSettingsChange({}).ok());
  EXPECT_FALSE(ValidateSettingsChange({"friends", {}}).ok());
  EXPECT_TRUE(ValidateSettingsChange({"nobody", {}}).ok());
}

TEST(EncodePrivacy, SettingsCarryThePushPreview) {
  SettingsChange change{.push_preview = "sender"};
  ASSERT_TRUE(ValidateSettingsChange(change).ok());
  EXPECT_EQ(EncodeSettingsSet("p10", change),
            R"({"type":"settings.set","req_id":"p10","push_preview":"sender"})");
  EXPECT_FALSE(ValidateSettingsChange({.push_preview = "everything"}).ok());
}

TEST(EncodePush, RegisterAndUnregisterMatchTheProtocol) {
  std::string hex(64, 'f');
  EXPECT_EQ(EncodePushRegister("r1", {"apns", "com.example.chat", hex, true}),
            R"({"type":"push.register","req_id":"r1","platform":"apns","app":"com.example.chat",)"
            R"("token":")" +
                hex + R"(","sandbox":true})");
  EXPECT_EQ(EncodePushRegister("r2", {"fcm", "com.example.chat", "dXk3:APA91b", false}),
            R"({"type":"push.register","req_id":"r2","platform":"fcm","app":"com.example.chat",)"
            R"("token":"dXk3:APA91b"})");
  EXPECT_EQ(EncodeQuery("push.unregister", "r3"), R"({"type":"push.unregister","req_id":"r3"})");
}

TEST(EncodePush, RegistrationsOutsideThePlatformsFormatsAreRefusedBeforeSending) {
  std::string hex(64, '0');
  EXPECT_TRUE(ValidatePushRegistration({"apns", "com.example.chat", hex, true}).ok());
  EXPECT_TRUE(ValidatePushRegistration({"fcm", "com.example.chat", "dXk3:APA91b", false}).ok());
  EXPECT_FALSE(ValidatePushRegistration({"gcm", "com.example.chat", hex, false}).ok());
  EXPECT_FALSE(ValidatePushRegistration({"apns", "", hex, false}).ok());
  EXPECT_FALSE(ValidatePushRegistration({"apns", "com/example", hex, false}).ok());
  EXPECT_FALSE(ValidatePushRegistration({"apns", "com.example.chat", "dXk3:APA91b", false}).ok());
  EXPECT_FALSE(ValidatePushRegistration({"apns", "com.example.chat", hex + "0", false}).ok());
  EXPECT_FALSE(ValidatePushRegistration({"fcm", "com.example.chat", "a b", false}).ok());
  EXPECT_FALSE(ValidatePushRegistration({"fcm", "com.example.chat", "dXk3", true}).ok())
      << "sandbox is APNs only";
}

TEST(EncodePresence, WatchAndSetMatchTheProtocol) {
  EXPECT_EQ(EncodePresenceWatch("w1", {"bob", "carol"}),
            R"({"type":"presence.watch","req_id":"w1","users":["bob","carol"]})");
  EXPECT_EQ(EncodePresenceWatch("", {}), R"({"type":"presence.watch","users":[]})");
  EXPECT_EQ(EncodePresenceSet(true), R"({"type":"presence.set","state":"away"})");
  EXPECT_EQ(EncodePresenceSet(false), R"({"type":"presence.set","state":"online"})");
  EXPECT_TRUE(ValidateWatchedUsers({}).ok());
  EXPECT_FALSE(ValidateWatchedUsers({"Bob!"}).ok());
  std::vector<std::string> many;
  for (int i = 0; i <= 256; ++i) many.push_back("u" + std::to_string(i));
  EXPECT_FALSE(ValidateWatchedUsers(many).ok());
  many.pop_back();
  many.push_back("u0");  // 257 ids, 256 distinct users
  EXPECT_TRUE(ValidateWatchedUsers(many).ok());
}

}  // namespace
}  // namespace chat::client
