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

TEST(Events, MsgCarriesEveryFieldOfTheStoredMessage) {
  const json event = json::parse(EncodeMessage(UserMessage()));
  EXPECT_EQ(event, json::parse(R"({"type":"msg","conv":"c1","seq":42,"ts":1700000000123,)"
                               R"("from":"alice","dev":"phone","cmid":"m-1",)"
                               R"("body":"line 1\n\"quoted\" \\ h\u00e9"})"));
}

TEST(Events, AcceptedIsTheMessagePlusReqIdAndDup) {
  json event = json::parse(EncodeAccepted(UserMessage(), "r-7", true));
  EXPECT_EQ(event["type"], "accepted");
  EXPECT_EQ(event["seq"], 42);
  EXPECT_EQ(event["req_id"], "r-7");
  EXPECT_EQ(event["dup"], true);
  event = json::parse(EncodeAccepted(UserMessage(), "", false));
  EXPECT_FALSE(event.contains("req_id"));
  EXPECT_EQ(event["dup"], false);
}

TEST(Events, SystemMessagesCarryTheirEventObject) {
  StoredMessage m = UserMessage();
  m.kind = "system";
  m.body = "";
  m.event = R"({"action":"add","by":"alice","users":["bob"]})";
  const json event = json::parse(EncodeMessage(m));
  EXPECT_EQ(event["kind"], "system");
  EXPECT_EQ(event["event"], json::parse(m.event));
}

TEST(Events, ADamagedSystemEventIsNullNotBrokenJson) {
  StoredMessage m = UserMessage();
  m.kind = "system";
  m.event = R"({"action":"add",)";
  const json event = json::parse(EncodeMessage(m));  // throws if the text is not JSON
  EXPECT_TRUE(event["event"].is_null());
}

}  // namespace
}  // namespace chat
