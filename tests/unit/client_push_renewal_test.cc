// Specification of the push registration the client keeps until the
// backend answered it (PROTOCOL.md "Push").
#include <gtest/gtest.h>

#include "push_renewal.h"

namespace chat::client {
namespace {

Event Reply(const std::string& json) { return ParseEvent(json, "chat/dev/alice/phone"); }

TEST(PushRenewal, NothingIsKeptAtFirst) { EXPECT_FALSE(PushRenewal().Unanswered()); }

TEST(PushRenewal, TheLatestRequestIsKeptUntilAPushReplyToItCame) {
  PushRenewal renewal;
  renewal.Keep("r1", "register-1");
  renewal.Keep("r2", "unregister-2");
  EXPECT_EQ(renewal.Unanswered(), (PushRenewal::Request{"r2", "unregister-2"}));
  renewal.OnEvent(Reply(R"({"type":"push","req_id":"r1","registered":true})"));
  EXPECT_TRUE(renewal.Unanswered()) << "a reply to the earlier request";
  renewal.OnEvent(Reply(R"({"type":"push","req_id":"r2","registered":false})"));
  EXPECT_FALSE(renewal.Unanswered());
}

TEST(PushRenewal, AnErrorThatResendingCannotFixAnswersIt) {
  PushRenewal renewal;
  renewal.Keep("r1", "register-1");
  renewal.OnEvent(Reply(R"({"type":"error","req_id":"r1","code":"bad_field","message":"x"})"));
  EXPECT_FALSE(renewal.Unanswered());
}

TEST(PushRenewal, ARetryableErrorLeavesItToBeSentAgain) {
  PushRenewal renewal;
  renewal.Keep("r1", "register-1");
  for (const char* code : {"unavailable", "internal"}) {
    renewal.OnEvent(Reply(std::string(R"({"type":"error","req_id":"r1","code":")") + code +
                          R"(","message":"x"})"));
  }
  EXPECT_TRUE(renewal.Unanswered());
}

TEST(PushRenewal, OtherRepliesWithItsReqIdDoNotAnswerIt) {
  PushRenewal renewal;
  renewal.Keep("r1", "register-1");
  renewal.OnEvent(Reply(R"({"type":"blocks","req_id":"r1","users":[]})"));
  EXPECT_TRUE(renewal.Unanswered());
}

TEST(PushRenewal, ANewRequestAfterAnAnsweredOneIsKeptAgain) {
  PushRenewal renewal;
  renewal.Keep("r1", "register-1");
  renewal.OnEvent(Reply(R"({"type":"push","req_id":"r1","registered":true})"));
  renewal.Keep("r2", "register-2");  // the platform handed out a new token
  EXPECT_EQ(renewal.Unanswered(), (PushRenewal::Request{"r2", "register-2"}));
}

}  // namespace
}  // namespace chat::client
