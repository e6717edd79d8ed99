// Fan-out batches (docs/PROTOCOL.md, "Fan-out"): only services, only chat
// inbox and dev topics, all or nothing.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "fan_out.h"
#include "identity.h"

namespace chat::plugin {
namespace {

class PluginFanOutTest : public ::testing::Test {
 protected:
  FanOutResult Handle(std::string_view payload, std::string_view username = "svc:chatd",
                      std::string_view client_id = "svc:chatd") {
    return fan_out_.Handle(IdentityOf(username, client_id), payload);
  }

  std::vector<std::pair<std::string, std::string>> published_;
  bool accept_ = true;
  FanOut fan_out_{[this](const std::string& topic, std::string_view payload) {
    if (!accept_) return false;
    published_.emplace_back(topic, std::string(payload));
    return true;
  }};
};

TEST_F(PluginFanOutTest, ServicePublishesEachPayloadToEachListedTopic) {
  FanOutResult result =
      Handle(R"({"out":[{"topics":["chat/inbox/bob/c1","chat/inbox/carol/c1"],"payload":"m1"},)"
             R"({"topics":["chat/inbox/alice/c1"],"payload":"a1"}]})");
  EXPECT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.copies, 3u);
  std::vector<std::pair<std::string, std::string>> expected = {
      {"chat/inbox/bob/c1", "m1"}, {"chat/inbox/carol/c1", "m1"}, {"chat/inbox/alice/c1", "a1"}};
  EXPECT_EQ(published_, expected);
}

TEST_F(PluginFanOutTest, UserInboxAndDeviceTopicsAreValidTargets) {
  FanOutResult result =
      Handle(R"({"out":[{"topics":["chat/inbox/bob","chat/dev/alice/phone"],"payload":"x"}]})");
  EXPECT_TRUE(result.ok) << result.error;
  EXPECT_EQ(published_.size(), 2u);
}

TEST_F(PluginFanOutTest, PayloadIsPublishedVerbatim) {
  Handle(R"({"out":[{"topics":["chat/inbox/bob/c1"],)"
         R"("payload":"{\"type\":\"msg\",\"body\":\"hé\"}"}]})");
  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0].second, "{\"type\":\"msg\",\"body\":\"hé\"}");
}

TEST_F(PluginFanOutTest, EmptyBatchPublishesNothing) {
  EXPECT_TRUE(Handle(R"({"out":[]})").ok);
  EXPECT_TRUE(published_.empty());
}

TEST_F(PluginFanOutTest, DeviceMayNotFanOut) {
  FanOutResult result = Handle(R"({"out":[{"topics":["chat/inbox/alice/c1"],"payload":"x"}]})",
                               "alice", "alice:phone");
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(published_.empty());
}

TEST_F(PluginFanOutTest, BatchWithANonChatTargetPublishesNothing) {
  FanOutResult result = Handle(R"({"out":[{"topics":["chat/inbox/bob/c1"],"payload":"ok"},)"
                               R"({"topics":["chat/up/bob/phone"],"payload":"forged"}]})");
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("out[1]"), std::string::npos) << result.error;
  EXPECT_TRUE(published_.empty());
}

TEST_F(PluginFanOutTest, TargetsOutsideInboxAndDevAreRejected) {
  for (std::string_view topic :
       {"chat/up/bob/phone", "chat/sys/presence", "$SYS/x", "$CONTROL/chat/v1/fanout", "other",
        "chat/inbox/+/c1", "chat/inbox/bob/#", "chat/inbox/#", "chat/inbox/bob/c1/x", "chat/inbox/",
        "chat/inbox/bob/", "chat/dev/bob", "chat/dev/bob/+", "chat/dev/bob/p/x",
        "chat/inbox/Bob/c1", ""}) {
    EXPECT_FALSE(IsFanOutTarget(topic)) << topic;
  }
}

TEST_F(PluginFanOutTest, MalformedBatchesAreRejected) {
  for (std::string_view payload :
       {"", "not json", "[]", "{}", R"({"out":{}})", R"({"out":[1]})",
        R"({"out":[{"payload":"x"}]})", R"({"out":[{"topics":"chat/inbox/bob","payload":"x"}]})",
        R"({"out":[{"topics":["chat/inbox/bob"]}]})",
        R"({"out":[{"topics":["chat/inbox/bob"],"payload":{"type":"msg"}}]})",
        R"({"out":[{"topics":[42],"payload":"x"}]})", R"({"out":[{"topics":["chat/inbox/bob"])"}) {
    FanOutResult result = Handle(payload);
    EXPECT_FALSE(result.ok) << payload;
    EXPECT_FALSE(result.error.empty()) << payload;
  }
  EXPECT_TRUE(published_.empty());
}

TEST_F(PluginFanOutTest, RefusedCopiesAreReported) {
  accept_ = false;
  FanOutResult result = Handle(R"({"out":[{"topics":["chat/inbox/bob"],"payload":"x"}]})");
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.copies, 0u);
  EXPECT_FALSE(result.error.empty());
}

}  // namespace
}  // namespace chat::plugin
