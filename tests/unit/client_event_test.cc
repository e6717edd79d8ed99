// Specification of how the client reads backend events (PROTOCOL.md section 6).
#include <gtest/gtest.h>

#include <string>

#include "chat/client/event.h"

namespace chat::client {
namespace {

constexpr const char* kMsg =
    R"({"type":"msg","conv":"c5d2f","seq":42,"ts":1700000000123,"from":"alice","dev":"phone",)"
    R"("cmid":"7f0c1c3e-1","body":"hi Bob"})";

TEST(ParseEvent, MsgCarriesEveryDocumentedField) {
  Event e = ParseEvent(kMsg);
  EXPECT_EQ(e.type, "msg");
  EXPECT_EQ(e.conv, "c5d2f");
  EXPECT_EQ(e.seq, 42);
  EXPECT_EQ(e.ts, 1700000000123);
  EXPECT_EQ(e.from, "alice");
  EXPECT_EQ(e.dev, "phone");
  EXPECT_EQ(e.cmid, "7f0c1c3e-1");
  EXPECT_EQ(e.body, "hi Bob");
  EXPECT_FALSE(e.dup);
  EXPECT_EQ(e.raw, kMsg);
}

TEST(ParseEvent, ALiveMsgTakesItsConversationFromTheTopic) {
  Event e = ParseEvent(R"({"type":"msg","seq":42,"ts":1700000000123,"from":"alice","body":"hi"})",
                       "chat/inbox/bob/c5d2f");
  EXPECT_EQ(e.type, "msg");
  EXPECT_EQ(e.conv, "c5d2f");
  EXPECT_EQ(e.topic, "chat/inbox/bob/c5d2f");
  EXPECT_TRUE(e.dev.empty());
  EXPECT_TRUE(e.cmid.empty());
}

TEST(ParseEvent, TheCompactFormsAreTheEventsTheyStandFor) {
  Event msg = ParseEvent(R"(["msg",42,1700000000123,"alice","hi",{"later":"ignored"}])",
                         "chat/inbox/bob/c5d2f");
  EXPECT_EQ(msg.type, "msg");
  EXPECT_EQ(msg.conv, "c5d2f");
  EXPECT_EQ(msg.seq, 42);
  EXPECT_EQ(msg.ts, 1700000000123);
  EXPECT_EQ(msg.from, "alice");
  EXPECT_EQ(msg.body, "hi");
  EXPECT_EQ(msg.raw, R"(["msg",42,1700000000123,"alice","hi",{"later":"ignored"}])");
  Event accepted = ParseEvent(R"(["accepted","m1",7,5])", "chat/dev/alice/phone");
  EXPECT_EQ(accepted.type, "accepted");
  EXPECT_EQ(accepted.cmid, "m1");
  EXPECT_EQ(accepted.seq, 7);
  EXPECT_EQ(accepted.ts, 5);
  EXPECT_FALSE(accepted.dup);
  Event receipt = ParseEvent(R"(["receipt","bob",4,3])", "chat/inbox/alice/c7");
  EXPECT_EQ(receipt.type, "receipt");
  EXPECT_EQ(receipt.conv, "c7");
  EXPECT_EQ(receipt.user, "bob");
  EXPECT_EQ(receipt.delivered, 4);
  EXPECT_EQ(receipt.read, 3);
}

TEST(ParseEvent, ALiveReceiptAndTypingTakeTheirConversationFromTheTopic) {
  Event receipt = ParseEvent(R"({"type":"receipt","user":"bob","delivered":4,"read":3})",
                             "chat/inbox/alice/c7");
  EXPECT_EQ(receipt.conv, "c7");
  EXPECT_EQ(receipt.delivered, 4);
  Event typing = ParseEvent(R"({"type":"typing","user":"bob"})", "chat/inbox/alice/c7");
  EXPECT_EQ(typing.type, "typing");
  EXPECT_EQ(typing.conv, "c7");
}

TEST(ParseEvent, AMsgOnADeviceTopicMustNameItsConversation) {
  Event e = ParseEvent(R"({"type":"msg","seq":4,"ts":1,"from":"alice","body":"hi"})",
                       "chat/dev/alice/laptop");
  EXPECT_EQ(e.type, "invalid");
  EXPECT_NE(e.message.find("'conv' is missing"), std::string::npos) << e.message;
}

TEST(ParseEvent, TheLeanAcceptedHasNoBody) {
  Event e = ParseEvent(R"({"type":"accepted","conv":"c1","seq":7,"ts":5,"cmid":"m1"})",
                       "chat/dev/alice/phone");
  EXPECT_EQ(e.type, "accepted");
  EXPECT_EQ(e.seq, 7);
  EXPECT_EQ(e.cmid, "m1");
  EXPECT_TRUE(e.body.empty());
  EXPECT_FALSE(e.dup);
}

TEST(ParseEvent, AcceptedCarriesReqIdAndDup) {
  Event e =
      ParseEvent(R"({"type":"accepted","conv":"c1","seq":7,"ts":5,"from":"alice","dev":"phone",)"
                 R"("cmid":"m1","body":"hi","req_id":"r1","dup":true})");
  EXPECT_EQ(e.type, "accepted");
  EXPECT_EQ(e.seq, 7);
  EXPECT_EQ(e.req_id, "r1");
  EXPECT_TRUE(e.dup);
}

TEST(ParseEvent, AcceptedWithoutReqIdOrDupIsAFirstAcceptance) {
  Event e = ParseEvent(R"({"type":"accepted","conv":"c1","seq":1,"ts":5,"from":"alice",)"
                       R"("dev":"phone","cmid":"m1","body":"hi"})");
  EXPECT_EQ(e.type, "accepted");
  EXPECT_TRUE(e.req_id.empty());
  EXPECT_FALSE(e.dup);
}

TEST(ParseEvent, ConvReplyCarriesKindMembersAndCreated) {
  Event e = ParseEvent(R"({"type":"conv","req_id":"r3","conv":"c5d2f","kind":"direct",)"
                       R"("members":["alice","bob"],"created":true})");
  EXPECT_EQ(e.type, "conv");
  EXPECT_EQ(e.req_id, "r3");
  EXPECT_EQ(e.conv, "c5d2f");
  EXPECT_EQ(e.kind, "direct");
  EXPECT_EQ(e.members, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_TRUE(e.created);
}

TEST(ParseEvent, ConvNewCarriesKindAndMembers) {
  Event e =
      ParseEvent(R"({"type":"conv.new","conv":"c5d2f","kind":"direct","members":["alice","bob"]})");
  EXPECT_EQ(e.type, "conv.new");
  EXPECT_EQ(e.kind, "direct");
  EXPECT_EQ(e.members.size(), 2u);
  EXPECT_FALSE(e.created);
}

TEST(ParseEvent, ErrorCarriesCodeMessageReqIdAndCmid) {
  Event e = ParseEvent(R"({"type":"error","req_id":"r1","code":"unknown_user",)"
                       R"("message":"no user 'bobby'","cmid":"7f0c1c3e-1"})");
  EXPECT_EQ(e.type, "error");
  EXPECT_EQ(e.code, "unknown_user");
  EXPECT_EQ(e.message, "no user 'bobby'");
  EXPECT_EQ(e.req_id, "r1");
  EXPECT_EQ(e.cmid, "7f0c1c3e-1");
}

TEST(ParseEvent, ErrorFromThePluginHasNoIds) {
  Event e = ParseEvent(R"({"type":"error","code":"payload_too_large","message":"too big"})");
  EXPECT_EQ(e.type, "error");
  EXPECT_EQ(e.code, "payload_too_large");
  EXPECT_TRUE(e.req_id.empty());
  EXPECT_TRUE(e.cmid.empty());
}

TEST(ParseEvent, UnknownFieldsAreIgnored) {
  Event e = ParseEvent(R"({"type":"conv.new","conv":"c1","kind":"group","members":["a"],)"
                       R"("decor":{"nested":[1,2]},"extra":null})");
  EXPECT_EQ(e.type, "conv.new");
  EXPECT_EQ(e.kind, "group");
}

TEST(ParseEvent, UnknownTypeIsKeptForNewerServers) {
  Event e = ParseEvent(R"({"type":"presence.v2","conv":"c1","from":"bob"})");
  EXPECT_EQ(e.type, "presence.v2");
  EXPECT_EQ(e.conv, "c1");
  EXPECT_EQ(e.from, "bob");
}

TEST(ParseEvent, BodyKeepsUtf8AndEscapes) {
  Event e = ParseEvent(R"({"type":"msg","conv":"c1","seq":1,"ts":0,"from":"a","dev":"d",)"
                       R"("cmid":"m","body":"h\u00e9 \"q\"\nline ✓"})");
  EXPECT_EQ(e.body, "h\xc3\xa9 \"q\"\nline \xe2\x9c\x93");
}

TEST(ParseEvent, LargestSeqAndTsAreAccepted) {
  Event e = ParseEvent(R"({"type":"msg","conv":"c1","seq":9223372036854775807,)"
                       R"("ts":9223372036854775807,"from":"a","dev":"d","cmid":"m","body":""})");
  EXPECT_EQ(e.type, "msg");
  EXPECT_EQ(e.seq, INT64_MAX);
}

// Malformed payloads: an Event of type "invalid", never a crash.
struct MalformedCase {
  const char* name;
  std::string payload;
  const char* reason_mentions;
};

class MalformedPayload : public testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedPayload, BecomesAnInvalidEventThatKeepsTheRawPayload) {
  const MalformedCase& c = GetParam();
  Event e = ParseEvent(c.payload);
  EXPECT_EQ(e.type, "invalid");
  EXPECT_EQ(e.raw, c.payload);
  EXPECT_NE(e.message.find(c.reason_mentions), std::string::npos) << e.message;
}

std::string MsgWith(const std::string& replaced_field) {
  std::string fields[] = {R"("conv":"c1")", R"("seq":1)",    R"("ts":2)",    R"("from":"a")",
                          R"("dev":"d")",   R"("cmid":"m")", R"("body":"b")"};
  std::string out = R"({"type":"msg")";
  std::string name = replaced_field.substr(0, replaced_field.find(':'));
  for (const std::string& field : fields) {
    bool replace = field.substr(0, field.find(':')) == name;
    if (replace && replaced_field.find(':') == std::string::npos) continue;  // drop it
    out += "," + (replace ? replaced_field : field);
  }
  return out + "}";
}

INSTANTIATE_TEST_SUITE_P(
    ParseEvent, MalformedPayload,
    testing::Values(
        MalformedCase{"Empty", "", "not valid JSON"},
        MalformedCase{"NotJson", "hello", "not valid JSON"},
        MalformedCase{"Truncated", R"({"type":"msg","conv":)", "not valid JSON"},
        MalformedCase{"InvalidUtf8", "{\"type\":\"msg\",\"body\":\"\xff\"}", "not valid JSON"},
        MalformedCase{"ArrayWithoutItsType", R"([{"type":"msg"}])", "start with its type"},
        MalformedCase{"ArrayOfATypeWithoutACompactForm", R"(["typing","bob"])",
                      "no compact (array) form"},
        MalformedCase{"CompactAcceptedWithoutTs", R"(["accepted","m1",7])", "'ts' is missing"},
        MalformedCase{"CompactAcceptedWithSeqAsString", R"(["accepted","m1","7",5])", "'seq'"},
        MalformedCase{"String", R"("msg")", "not a JSON object"},
        MalformedCase{"Null", "null", "not a JSON object"},
        MalformedCase{"MissingType", R"({"conv":"c1"})", "type"},
        MalformedCase{"NumericType", R"({"type":3})", "type"},
        MalformedCase{"EmptyType", R"({"type":""})", "type"},
        MalformedCase{"MsgWithoutConv", MsgWith(R"("conv")"), "'conv' is missing"},
        MalformedCase{"MsgWithoutSeq", MsgWith(R"("seq")"), "'seq' is missing"},
        MalformedCase{"MsgWithoutTs", MsgWith(R"("ts")"), "'ts' is missing"},
        MalformedCase{"MsgWithoutFrom", MsgWith(R"("from")"), "'from' is missing"},
        MalformedCase{"AcceptedWithoutCmid", R"({"type":"accepted","conv":"c1","seq":1,"ts":2})",
                      "'cmid' is missing"},
        MalformedCase{"ReceiptWithoutConv",
                      R"({"type":"receipt","user":"b","delivered":1,"read":0})",
                      "'conv' is missing"},
        MalformedCase{"MsgWithoutBody", MsgWith(R"("body")"), "'body' is missing"},
        MalformedCase{"SeqAsString", MsgWith(R"("seq":"1")"), "'seq'"},
        MalformedCase{"SeqAsFloat", MsgWith(R"("seq":1.5)"), "'seq'"},
        MalformedCase{"SeqZero", MsgWith(R"("seq":0)"), "'seq' is out of range"},
        MalformedCase{"SeqNegative", MsgWith(R"("seq":-3)"), "'seq' is out of range"},
        MalformedCase{"SeqPast64Bits", MsgWith(R"("seq":18446744073709551615)"), "'seq'"},
        MalformedCase{"TsNegative", MsgWith(R"("ts":-1)"), "'ts' is out of range"},
        MalformedCase{"BodyAsNumber", MsgWith(R"("body":5)"), "'body' is not a string"},
        MalformedCase{"ConvNotAnId", MsgWith(R"("conv":"c/1")"), "'conv' is not a valid id"},
        MalformedCase{"FromWithWildcard", MsgWith(R"("from":"a+")"), "'from'"},
        MalformedCase{"CmidTooLong", MsgWith(R"("cmid":")" + std::string(65, 'x') + "\""),
                      "'cmid'"},
        MalformedCase{"DupAsString",
                      R"({"type":"accepted","conv":"c1","seq":1,"ts":2,"from":"a","dev":"d",)"
                      R"("cmid":"m","body":"b","dup":"yes"})",
                      "'dup' is not a boolean"},
        MalformedCase{"ConvWithoutMembers", R"({"type":"conv","conv":"c1","kind":"direct"})",
                      "'members' is missing"},
        MalformedCase{"MembersNotArray",
                      R"({"type":"conv.new","conv":"c1","kind":"direct","members":"a,b"})",
                      "'members' is not an array"},
        MalformedCase{"MembersHoldNumbers",
                      R"({"type":"conv.new","conv":"c1","kind":"direct","members":[1]})",
                      "'members'"},
        MalformedCase{"ErrorWithoutCode", R"({"type":"error","message":"m"})", "'code' is missing"},
        MalformedCase{"ErrorWithNumericReqId",
                      R"({"type":"error","code":"x","message":"m","req_id":7})", "'req_id'"}),
    [](const testing::TestParamInfo<MalformedCase>& info) { return info.param.name; });

TEST(FormatEventLine, MessageShowsConversationSeqSenderAndBody) {
  EXPECT_EQ(FormatEventLine(ParseEvent(kMsg)), "[c5d2f #42] alice/phone: hi Bob");
  EXPECT_EQ(FormatEventLine(ParseEvent(R"({"type":"msg","seq":3,"ts":1,"from":"bob","body":"yo"})",
                                       "chat/inbox/alice/c9")),
            "[c9 #3] bob: yo");
  EXPECT_EQ(FormatEventLine(ParseEvent(R"({"type":"typing","user":"bob"})", "chat/inbox/alice/c9")),
            "[c9] bob is typing");
}

TEST(FormatEventLine, DuplicateAcceptanceIsMarked) {
  Event e = ParseEvent(R"({"type":"accepted","conv":"c1","seq":3,"ts":5,"from":"alice",)"
                       R"("dev":"cli","cmid":"m1","body":"hi","dup":true})");
  EXPECT_EQ(FormatEventLine(e), "[c1 #3] alice/cli: hi (dup)");
}

TEST(FormatEventLine, ControlCharactersOfPeersAreEscaped) {
  Event e = ParseEvent(R"({"type":"msg","conv":"c1","seq":1,"ts":0,"from":"bob","dev":"d",)"
                       R"("cmid":"m","body":"a\u001b[2Jb\nc"})");
  EXPECT_EQ(FormatEventLine(e), "[c1 #1] bob/d: a\\x1b[2Jb\\nc");
}

TEST(FormatEventLine, ErrorShowsCodeAndMessage) {
  Event e = ParseEvent(R"({"type":"error","code":"not_member","message":"no","cmid":"m1"})");
  EXPECT_EQ(FormatEventLine(e), "[error not_member] no (cmid m1)");
}

TEST(FormatEventLine, NewConversationListsMembers) {
  Event e =
      ParseEvent(R"({"type":"conv.new","conv":"c1","kind":"direct","members":["alice","bob"]})");
  EXPECT_EQ(FormatEventLine(e), "[c1] new direct conversation with alice, bob");
}

}  // namespace
}  // namespace chat::client
