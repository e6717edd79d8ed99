// The per-message events chatd sends (docs/PROTOCOL.md, section 6).
#include "chatd/events.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace chat {
namespace {

using json = nlohmann::json;

StoredMessage UserMessage() {
  StoredMessage m;
  m.conv = "c1";
  m.seq = 42;
  m.ts_ms = 1700000000123;
  m.from = "alice";
  m.device = "phone";
  m.cmid = "m-1";
  m.body = "line 1\n\"quoted\" \\ h\xc3\xa9";
  return m;
}

TEST(Events, TheLiveMsgIsCompactAndLeavesOutWhatTheTopicAndTheRecipientDoNotNeed) {
  const json event = json::parse(EncodeMessage(UserMessage(), EventForm::kLive));
  EXPECT_EQ(event, json::parse(R"(["msg",42,1700000000123,"alice",)"
                               R"("line 1\n\"quoted\" \\ h\u00e9"])"));
}

TEST(Events, AListedMsgNamesItsConversation) {
  const json event = json::parse(EncodeMessage(UserMessage(), EventForm::kListed));
  EXPECT_EQ(event, json::parse(R"({"type":"msg","conv":"c1","seq":42,"ts":1700000000123,)"
                               R"("from":"alice","body":"line 1\n\"quoted\" \\ h\u00e9"})"));
}

TEST(Events, TheSendersOwnDevicesAlsoGetTheDeviceAndCmid) {
  const json event = json::parse(EncodeMessage(UserMessage(), EventForm::kOwn));
  EXPECT_EQ(event, json::parse(R"({"type":"msg","conv":"c1","seq":42,"ts":1700000000123,)"
                               R"("from":"alice","dev":"phone","cmid":"m-1",)"
                               R"("body":"line 1\n\"quoted\" \\ h\u00e9"})"));
}

TEST(Events, AcceptedCarriesNoBodyAndDupOnlyForAResend) {
  json event = json::parse(EncodeAccepted(UserMessage(), "r-7", true, false));
  EXPECT_EQ(event, json::parse(R"({"type":"accepted","seq":42,"ts":1700000000123,)"
                               R"("cmid":"m-1","req_id":"r-7","dup":true})"));
  EXPECT_EQ(EncodeAccepted(UserMessage(), "", false, false),
            R"(["accepted","m-1",42,1700000000123])")
      << "without req_id, dup and conv: the compact form";
}

TEST(Events, AcceptedNamesTheConversationOnlyWhenTheSendNamedTheUser) {
  json event = json::parse(EncodeAccepted(UserMessage(), "", false, true));
  EXPECT_EQ(event, json::parse(R"({"type":"accepted","conv":"c1","seq":42,"ts":1700000000123,)"
                               R"("cmid":"m-1"})"));
}

TEST(Events, AReceiptNamesItsConversationOffTheConversationTopicOnly) {
  EXPECT_EQ(EncodeReceipt("c1", "bob", 44, 41, EventForm::kLive), R"(["receipt","bob",44,41])");
  EXPECT_EQ(json::parse(EncodeReceipt("c1", "bob", 44, 41, EventForm::kListed)),
            json::parse(R"({"type":"receipt","conv":"c1","user":"bob","delivered":44,"read":41})"));
}

TEST(Events, SystemMessagesCarryTheirEventObject) {
  StoredMessage m = UserMessage();
  m.kind = "system";
  m.body = "";
  m.event = R"({"action":"add","by":"alice","users":["bob"]})";
  const json event = json::parse(EncodeMessage(m, EventForm::kLive));
  EXPECT_EQ(event["kind"], "system");
  EXPECT_EQ(event["event"], json::parse(m.event));
}

TEST(Events, ADamagedSystemEventIsNullNotBrokenJson) {
  StoredMessage m = UserMessage();
  m.kind = "system";
  m.event = R"({"action":"add",)";
  const json event =
      json::parse(EncodeMessage(m, EventForm::kLive));  // throws if the text is not JSON
  EXPECT_TRUE(event["event"].is_null());
}

}  // namespace
}  // namespace chat
