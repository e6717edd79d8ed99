// Device command parsing and validation (docs/PROTOCOL.md sections 5 and 7).
#include "chatd/command.h"

#include <gtest/gtest.h>

#include "chatd/group_requests.h"

namespace chat {
namespace {

const DeviceAddress kAlice{"alice", "phone"};

Command Parse(std::string_view payload, std::size_t max_body = 100) {
  return ParseCommand(kAlice, payload, CommandLimits{max_body});
}

ErrorCode CodeOf(const Command& command) {
  const auto* rejected = std::get_if<RejectedCommand>(&command.body);
  EXPECT_NE(rejected, nullptr) << "expected a rejection";
  return rejected ? rejected->code : ErrorCode::kInternal;
}

TEST(Command, SendToUserIsParsed) {
  Command c = Parse(R"({"type":"send","req_id":"r1","to":"bob","cmid":"m-1","body":"hi"})");
  const auto* send = std::get_if<SendCommand>(&c.body);
  ASSERT_NE(send, nullptr);
  EXPECT_EQ(send->to, "bob");
  EXPECT_EQ(send->cmid, "m-1");
  EXPECT_EQ(send->body, "hi");
  EXPECT_EQ(c.req_id, "r1");
  EXPECT_EQ(c.sender, kAlice);
}

TEST(Command, SendToConversationIsParsed) {
  Command c = Parse(R"({"type":"send","conv":"c123","cmid":"m-1","body":""})");
  const auto* send = std::get_if<SendCommand>(&c.body);
  ASSERT_NE(send, nullptr);
  EXPECT_EQ(send->conv, "c123");
  EXPECT_TRUE(c.req_id.empty());
}

TEST(Command, TheCompactFormsOfSendAndTheCursorsAreTheSameCommands) {
  Command c = Parse(R"(["send","c123","m-1","hi",{"ignored":"extra values"}])");
  const auto* send = std::get_if<SendCommand>(&c.body);
  ASSERT_NE(send, nullptr);
  EXPECT_EQ(send->conv, "c123");
  EXPECT_EQ(send->cmid, "m-1");
  EXPECT_EQ(send->body, "hi");
  EXPECT_EQ(c.cmid, "m-1") << "an error about it would echo the cmid";
  for (auto [payload, read] :
       {std::pair{R"(["delivered","c123",7])", false}, std::pair{R"(["read","c123",7])", true}}) {
    Command cursor = Parse(payload);
    const auto* move = std::get_if<CursorCommand>(&cursor.body);
    ASSERT_NE(move, nullptr) << payload;
    EXPECT_EQ(move->read, read);
    EXPECT_EQ(move->conv, "c123");
    EXPECT_EQ(move->seq, 7);
  }
}

TEST(Command, ACompactFormIsCheckedAsItsObjectIs) {
  EXPECT_EQ(CodeOf(Parse(R"(["send","c123","m-1"])")), ErrorCode::kBadField) << "body missing";
  EXPECT_EQ(CodeOf(Parse(R"(["send","c123",7,"x"])")), ErrorCode::kBadField) << "cmid not text";
  EXPECT_EQ(CodeOf(Parse(R"(["delivered","c123","7"])")), ErrorCode::kBadField);
  EXPECT_EQ(CodeOf(Parse(R"(["typing","c123"])")), ErrorCode::kUnknownType)
      << "typing has no compact form";
  EXPECT_EQ(CodeOf(Parse(R"(["msg",1,2,"bob","x"])")), ErrorCode::kUnknownType)
      << "an event is no command";
  EXPECT_EQ(CodeOf(Parse(R"(["send"])")), ErrorCode::kBadField);
  EXPECT_EQ(CodeOf(Parse(R"([])")), ErrorCode::kBadJson);
}

TEST(Command, SenderComesFromTheTopicNeverThePayload) {
  Command c = Parse(R"({"type":"send","to":"bob","cmid":"m","body":"x","from":"mallory"})");
  EXPECT_EQ(c.sender.user, "alice");
}

TEST(Command, ANumberBeyondADoubleIsBadJsonThatStillEchoesTheIds) {
  Command c = Parse(R"({"type":"send","to":"bob","body":1e999,"req_id":"r9","cmid":"m-9"})");
  EXPECT_EQ(CodeOf(c), ErrorCode::kBadJson);
  EXPECT_EQ(c.req_id, "r9");
  EXPECT_EQ(c.cmid, "m-9");
  EXPECT_TRUE(Parse(R"({"req_id":"r9",)").req_id.empty());  // unreadable: no ids
}

TEST(Command, MalformedJsonIsBadJson) {
  for (const char* payload : {"", "{", "[1,2]", "\"send\"", "42", "null", "{\"type\":}"}) {
    EXPECT_EQ(CodeOf(Parse(payload)), ErrorCode::kBadJson) << payload;
  }
}

TEST(Command, InvalidUtf8IsRejectedBeforeParsing) {
  EXPECT_EQ(CodeOf(Parse("{\"type\":\"send\",\"body\":\"\xC3\x28\"}")), ErrorCode::kInvalidUtf8);
}

TEST(Command, MissingOrUnknownTypeIsUnknownType) {
  EXPECT_EQ(CodeOf(Parse(R"({"to":"bob"})")), ErrorCode::kUnknownType);
  EXPECT_EQ(CodeOf(Parse(R"({"type":7})")), ErrorCode::kUnknownType);
  EXPECT_EQ(CodeOf(Parse(R"({"type":"explode"})")), ErrorCode::kUnknownType);
}

TEST(Command, SendNeedsExactlyOneOfConvAndTo) {
  EXPECT_EQ(CodeOf(Parse(R"({"type":"send","cmid":"m","body":"x"})")), ErrorCode::kBadField);
  EXPECT_EQ(CodeOf(Parse(R"({"type":"send","to":"bob","conv":"c1","cmid":"m","body":"x"})")),
            ErrorCode::kBadField);
}

TEST(Command, SendFieldsAreValidated) {
  EXPECT_EQ(CodeOf(Parse(R"({"type":"send","to":"Bob!","cmid":"m","body":"x"})")),
            ErrorCode::kBadField);
  EXPECT_EQ(CodeOf(Parse(R"({"type":"send","conv":"c/1","cmid":"m","body":"x"})")),
            ErrorCode::kBadField);
  EXPECT_EQ(CodeOf(Parse(R"({"type":"send","to":"bob","body":"x"})")), ErrorCode::kBadField);
  EXPECT_EQ(CodeOf(Parse(R"({"type":"send","to":"bob","cmid":"a b","body":"x"})")),
            ErrorCode::kBadField);
  EXPECT_EQ(CodeOf(Parse(R"({"type":"send","to":"bob","cmid":"m"})")), ErrorCode::kBadField);
  EXPECT_EQ(CodeOf(Parse(R"({"type":"send","to":"bob","cmid":"m","body":5})")),
            ErrorCode::kBadField);
  EXPECT_EQ(CodeOf(Parse(R"({"type":"send","to":["bob"],"cmid":"m","body":"x"})")),
            ErrorCode::kBadField);
}

TEST(Command, MalformedReqIdIsRejected) {
  EXPECT_EQ(CodeOf(Parse(R"({"type":"send","req_id":"a/b","to":"bob","cmid":"m","body":"x"})")),
            ErrorCode::kBadField);
}

TEST(Command, BodyOverTheLimitIsBodyTooLarge) {
  std::string body(101, 'x');
  Command c = Parse(R"({"type":"send","to":"bob","cmid":"m","body":")" + body + "\"}", 100);
  EXPECT_EQ(CodeOf(c), ErrorCode::kBodyTooLarge);
  EXPECT_EQ(c.cmid, "m");  // echoed so the outbox can match the error
}

TEST(Command, SendingToYourselfIsInvalidRecipient) {
  EXPECT_EQ(CodeOf(Parse(R"({"type":"send","to":"alice","cmid":"m","body":"x"})")),
            ErrorCode::kInvalidRecipient);
  EXPECT_EQ(CodeOf(Parse(R"({"type":"conv.create","with":"alice"})")),
            ErrorCode::kInvalidRecipient);
}

TEST(Command, ConvCreateNeedsAUserId) {
  Command c = Parse(R"({"type":"conv.create","req_id":"r9","with":"bob"})");
  const auto* create = std::get_if<CreateDirectCommand>(&c.body);
  ASSERT_NE(create, nullptr);
  EXPECT_EQ(create->with, "bob");
  EXPECT_EQ(CodeOf(Parse(R"({"type":"conv.create"})")), ErrorCode::kBadField);
}

TEST(Command, GroupFingerprintIgnoresUserOrderButNotParameters) {
  auto fingerprint = [](std::string_view payload) {
    return GroupCommandFingerprint(Parse(payload));
  };
  std::string add = fingerprint(R"({"type":"group.add","conv":"c1","users":["bob","carol"]})");
  EXPECT_EQ(add.size(), 16u);
  EXPECT_EQ(add, fingerprint(R"({"type":"group.add","conv":"c1","users":["carol","bob"]})"));
  EXPECT_NE(add, fingerprint(R"({"type":"group.remove","conv":"c1","users":["bob","carol"]})"));
  EXPECT_NE(add, fingerprint(R"({"type":"group.add","conv":"c2","users":["bob","carol"]})"));
  EXPECT_NE(fingerprint(R"({"type":"group.create","title":"A","members":["bob"]})"),
            fingerprint(R"({"type":"group.create","title":"B","members":["bob"]})"));
  EXPECT_EQ(fingerprint(R"({"type":"conv.create","with":"bob"})"), "");
}

TEST(Command, BlockAndUnblockNameAnotherUser) {
  Command block = Parse(R"({"type":"block","req_id":"b1","user":"bob"})");
  const auto* parsed = std::get_if<BlockCommand>(&block.body);
  ASSERT_NE(parsed, nullptr);
  EXPECT_TRUE(parsed->block);
  EXPECT_EQ(parsed->user, "bob");
  EXPECT_FALSE(block.IsQuery());
  Command unblock = Parse(R"({"type":"unblock","user":"bob"})");
  ASSERT_NE(std::get_if<BlockCommand>(&unblock.body), nullptr);
  EXPECT_FALSE(std::get<BlockCommand>(unblock.body).block);
  EXPECT_EQ(CodeOf(Parse(R"({"type":"block","user":"alice"})")), ErrorCode::kInvalidRecipient);
  EXPECT_EQ(CodeOf(Parse(R"({"type":"block"})")), ErrorCode::kBadField);
  EXPECT_EQ(CodeOf(Parse(R"({"type":"unblock","user":"Bob!"})")), ErrorCode::kBadField);
}

TEST(Command, BlocksAndSettingsGetAreQueries) {
  Command blocks = Parse(R"({"type":"blocks","req_id":"q1"})");
  EXPECT_NE(std::get_if<BlocksQueryCommand>(&blocks.body), nullptr);
  EXPECT_TRUE(blocks.IsQuery());
  Command get = Parse(R"({"type":"settings.get"})");
  EXPECT_NE(std::get_if<SettingsGetCommand>(&get.body), nullptr);
  EXPECT_TRUE(get.IsQuery());
}

TEST(Command, PresenceWatchTakesUpTo256DistinctUsersOrNone) {
  Command watch = Parse(R"({"type":"presence.watch","req_id":"w1","users":["bob","bob","carol"]})");
  ASSERT_NE(std::get_if<PresenceWatchCommand>(&watch.body), nullptr);
  EXPECT_EQ(std::get<PresenceWatchCommand>(watch.body).users,
            (std::vector<std::string>{"bob", "carol"}));
  EXPECT_TRUE(watch.IsQuery());
  Command none = Parse(R"({"type":"presence.watch","users":[]})");
  EXPECT_TRUE(std::get<PresenceWatchCommand>(none.body).users.empty());
  std::string many = R"({"type":"presence.watch","users":[)";
  for (int i = 0; i < 257; ++i) many += (i ? ",\"u" : "\"u") + std::to_string(i) + "\"";
  for (const std::string& bad : {many + "]}", std::string(R"({"type":"presence.watch"})"),
                                 std::string(R"({"type":"presence.watch","users":"bob"})"),
                                 std::string(R"({"type":"presence.watch","users":["B@d"]})")}) {
    EXPECT_EQ(CodeOf(Parse(bad, 100000)), ErrorCode::kBadField) << bad.substr(0, 60);
  }
}

TEST(Command, PresenceSetIsAwayOrOnline) {
  EXPECT_TRUE(
      std::get<PresenceSetCommand>(Parse(R"({"type":"presence.set","state":"away"})").body).away);
  EXPECT_FALSE(
      std::get<PresenceSetCommand>(Parse(R"({"type":"presence.set","state":"online"})").body).away);
  for (const char* bad : {R"({"type":"presence.set"})", R"({"type":"presence.set","state":"busy"})",
                          R"({"type":"presence.set","state":1})"}) {
    EXPECT_EQ(CodeOf(Parse(bad)), ErrorCode::kBadField) << bad;
  }
}

TEST(Command, MuteHasAnOptionalUntilAndUnmuteNone) {
  Command forever = Parse(R"({"type":"mute","conv":"c1"})");
  ASSERT_NE(std::get_if<MuteCommand>(&forever.body), nullptr);
  EXPECT_TRUE(std::get<MuteCommand>(forever.body).mute);
  EXPECT_EQ(std::get<MuteCommand>(forever.body).until_ms, 0);
  Command until = Parse(R"({"type":"mute","conv":"c1","until":1700000000000})");
  EXPECT_EQ(std::get<MuteCommand>(until.body).until_ms, 1700000000000);
  Command unmute = Parse(R"({"type":"unmute","conv":"c1"})");
  EXPECT_FALSE(std::get<MuteCommand>(unmute.body).mute);
  EXPECT_EQ(CodeOf(Parse(R"({"type":"mute","conv":"c1","until":0})")), ErrorCode::kBadField);
  EXPECT_EQ(CodeOf(Parse(R"({"type":"mute","conv":"c1","until":"soon"})")), ErrorCode::kBadField);
  EXPECT_EQ(CodeOf(Parse(R"({"type":"unmute"})")), ErrorCode::kBadField);
}

TEST(Command, SettingsSetTakesEitherFieldAndRejectsOtherValues) {
  Command both = Parse(R"({"type":"settings.set","presence":"contacts","read_receipts":false})");
  const auto* set = std::get_if<SettingsSetCommand>(&both.body);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->presence, PresenceAudience::kContacts);
  EXPECT_EQ(set->read_receipts, false);
  Command one = Parse(R"({"type":"settings.set","presence":"nobody"})");
  EXPECT_EQ(std::get<SettingsSetCommand>(one.body).read_receipts, std::nullopt);
  EXPECT_EQ(CodeOf(Parse(R"({"type":"settings.set"})")), ErrorCode::kBadField);
  EXPECT_EQ(CodeOf(Parse(R"({"type":"settings.set","presence":"friends"})")), ErrorCode::kBadField);
  EXPECT_EQ(CodeOf(Parse(R"({"type":"settings.set","read_receipts":"no"})")), ErrorCode::kBadField);
}

TEST(Command, ErrorCodeNamesAreStable) {
  EXPECT_EQ(ErrorCodeName(ErrorCode::kBadJson), "bad_json");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kUnknownUser), "unknown_user");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kNotMember), "not_member");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kBodyTooLarge), "body_too_large");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kBlocked), "blocked");
}

}  // namespace
}  // namespace chat

namespace chat {
namespace {

TEST(Command, PushRegisterIsParsedAndItsFieldsChecked) {
  std::string hex(64, 'a');
  Command apns = Parse(R"({"type":"push.register","platform":"apns","app":"com.example.chat",)"
                       R"("sandbox":true,"token":")" +
                       hex + "\"}");
  const auto* push = std::get_if<PushRegisterCommand>(&apns.body);
  ASSERT_NE(push, nullptr);
  EXPECT_EQ(push->platform, "apns");
  EXPECT_EQ(push->app, "com.example.chat");
  EXPECT_TRUE(push->sandbox);
  EXPECT_EQ(push->token, hex);
  EXPECT_FALSE(apns.IsQuery());
  Command fcm = Parse(R"({"type":"push.register","platform":"fcm","app":"a.b","token":"x:APA9"})");
  ASSERT_NE(std::get_if<PushRegisterCommand>(&fcm.body), nullptr);
  for (const std::string& bad : std::vector<std::string>{
           R"({"type":"push.register","platform":"gcm","app":"a","token":"t"})",
           R"({"type":"push.register","platform":"fcm","token":"t"})",
           R"({"type":"push.register","platform":"fcm","app":"a b","token":"t"})",
           R"({"type":"push.register","platform":"fcm","app":"a","token":"has space"})",
           R"({"type":"push.register","platform":"fcm","app":"a","token":""})",
           R"({"type":"push.register","platform":"fcm","app":"a","token":"t","sandbox":true})",
           R"({"type":"push.register","platform":"apns","app":"a","token":"abc"})",
           R"({"type":"push.register","platform":"apns","app":"a","token":")" +
               std::string(64, 'g') + "\"}",
           R"({"type":"push.register","platform":"apns","app":"a","sandbox":"yes","token":")" +
               hex + "\"}",
       }) {
    EXPECT_EQ(CodeOf(Parse(bad)), ErrorCode::kBadField) << bad;
  }
  Command unregister = Parse(R"({"type":"push.unregister"})");
  EXPECT_NE(std::get_if<PushUnregisterCommand>(&unregister.body), nullptr);
}

TEST(Command, SettingsSetTakesAPushPreview) {
  Command set = Parse(R"({"type":"settings.set","push_preview":"sender"})");
  const auto* settings = std::get_if<SettingsSetCommand>(&set.body);
  ASSERT_NE(settings, nullptr);
  EXPECT_EQ(settings->push_preview, PushPreview::kSender);
  EXPECT_EQ(CodeOf(Parse(R"({"type":"settings.set","push_preview":"all"})")), ErrorCode::kBadField);
}

}  // namespace
}  // namespace chat
