// Fan-out batches (docs/PROTOCOL.md, "Fan-out"): only services, only chat
// inbox and dev topics, all or nothing; version 2 (length-prefixed) and the
// deprecated version 1 (JSON).
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "chat/fanout_frames.h"
#include "fan_out.h"
#include "identity.h"

namespace chat::plugin {
namespace {

using Published = std::vector<std::pair<std::string, std::string>>;

std::string Item(std::vector<std::string> topics, std::string_view payload) {
  std::string out;
  AppendFanoutItem(out, topics, payload);
  return out;
}

class PluginFanOutTest : public ::testing::Test {
 protected:
  FanOutResult Handle(std::string_view payload, std::string_view username = "svc:chatd",
                      std::string_view client_id = "svc:chatd") {
    return fan_out_.Handle(IdentityOf(username, client_id), payload);
  }
  FanOutResult HandleJson(std::string_view payload, std::string_view username = "svc:chatd") {
    return fan_out_.HandleJson(IdentityOf(username, username), payload);
  }

  Published published_;
  bool accept_ = true;
  FanOut fan_out_{[this](std::string_view topic, std::string_view payload) {
    if (!accept_) return false;
    published_.emplace_back(topic, payload);
    return true;
  }};
};

TEST_F(PluginFanOutTest, ServicePublishesEachPayloadToEachListedTopic) {
  FanOutResult result = Handle(Item({"chat/inbox/bob/c1", "chat/inbox/carol/c1"}, "m1") +
                               Item({"chat/inbox/alice/c1"}, "a1"));
  EXPECT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.copies, 3u);
  Published expected = {
      {"chat/inbox/bob/c1", "m1"}, {"chat/inbox/carol/c1", "m1"}, {"chat/inbox/alice/c1", "a1"}};
  EXPECT_EQ(published_, expected);
}

TEST_F(PluginFanOutTest, UserInboxAndDeviceTopicsAreValidTargets) {
  FanOutResult result = Handle(Item({"chat/inbox/bob", "chat/dev/alice/phone"}, "x"));
  EXPECT_TRUE(result.ok) << result.error;
  EXPECT_EQ(published_.size(), 2u);
}

TEST_F(PluginFanOutTest, PayloadIsPublishedVerbatim) {
  const std::string event = "{\"type\":\"msg\",\"body\":\"h\xc3\xa9\\n\"}\n";
  Handle(Item({"chat/inbox/bob/c1"}, event));
  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0].second, event);
}

TEST_F(PluginFanOutTest, EmptyBatchPublishesNothing) {
  EXPECT_TRUE(Handle("").ok);
  EXPECT_TRUE(published_.empty());
}

TEST_F(PluginFanOutTest, DeviceMayNotFanOut) {
  FanOutResult result = Handle(Item({"chat/inbox/alice/c1"}, "x"), "alice", "alice:phone");
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(published_.empty());
}

TEST_F(PluginFanOutTest, BatchWithANonChatTargetPublishesNothing) {
  FanOutResult result =
      Handle(Item({"chat/inbox/bob/c1"}, "ok") + Item({"chat/up/bob/phone"}, "forged"));
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("item 1 targets chat/up/bob/phone"), std::string::npos)
      << result.error;
  EXPECT_TRUE(published_.empty());
}

TEST_F(PluginFanOutTest, TargetsOutsideInboxAndDevAreRejected) {
  for (std::string_view topic :
       {"chat/up/bob/phone", "chat/sys/presence", "$SYS/x", "$CONTROL/chat/v2/fanout", "other",
        "chat/inbox/+/c1", "chat/inbox/bob/#", "chat/inbox/#", "chat/inbox/bob/c1/x", "chat/inbox/",
        "chat/inbox/bob/", "chat/dev/bob", "chat/dev/bob/+", "chat/dev/bob/p/x",
        "chat/inbox/Bob/c1", ""}) {
    EXPECT_FALSE(IsFanOutTarget(topic)) << topic;
  }
}

TEST_F(PluginFanOutTest, MalformedBatchesAreRejected) {
  const std::string good = Item({"chat/inbox/bob"}, "x");
  for (std::string payload : {std::string("not frames"), std::string(R"({"out":[]})"),
                              good.substr(0, good.size() - 1), good + "1 1\n",
                              good + "1 5\nchat/inbox/bob\nx\n"}) {
    FanOutResult result = Handle(payload);
    EXPECT_FALSE(result.ok) << payload;
    EXPECT_FALSE(result.error.empty()) << payload;
  }
  EXPECT_TRUE(published_.empty());
}

TEST_F(PluginFanOutTest, RefusedCopiesAreReported) {
  accept_ = false;
  FanOutResult result = Handle(Item({"chat/inbox/bob"}, "x"));
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.copies, 0u);
  EXPECT_FALSE(result.error.empty());
}

// Version 1 stays readable so brokers can be upgraded before chatd.
TEST_F(PluginFanOutTest, JsonBatchesOfVersionOneAreStillPublished) {
  FanOutResult result = HandleJson(
      R"({"out":[{"topics":["chat/inbox/bob/c1","chat/inbox/carol/c1"],"payload":"m1"},)"
      R"({"topics":["chat/inbox/alice/c1"],"payload":"{\"type\":\"msg\",\"body\":\"hé\"}"}]})");
  EXPECT_TRUE(result.ok) << result.error;
  Published expected = {{"chat/inbox/bob/c1", "m1"},
                        {"chat/inbox/carol/c1", "m1"},
                        {"chat/inbox/alice/c1", "{\"type\":\"msg\",\"body\":\"hé\"}"}};
  EXPECT_EQ(published_, expected);
  EXPECT_TRUE(HandleJson(R"({"out":[]})").ok);
}

TEST_F(PluginFanOutTest, JsonBatchesAreCheckedLikeVersionTwo) {
  EXPECT_FALSE(HandleJson(R"({"out":[{"topics":["chat/inbox/alice/c1"],"payload":"x"}]})", "alice")
                   .ok);
  FanOutResult forged = HandleJson(R"({"out":[{"topics":["chat/inbox/bob/c1"],"payload":"ok"},)"
                                   R"({"topics":["chat/up/bob/phone"],"payload":"forged"}]})");
  EXPECT_FALSE(forged.ok);
  EXPECT_NE(forged.error.find("item 1"), std::string::npos) << forged.error;
  for (std::string_view payload :
       {"", "not json", "[]", "{}", R"({"out":{}})", R"({"out":[1]})",
        R"({"out":[{"payload":"x"}]})", R"({"out":[{"topics":"chat/inbox/bob","payload":"x"}]})",
        R"({"out":[{"topics":["chat/inbox/bob"]}]})",
        R"({"out":[{"topics":["chat/inbox/bob"],"payload":{"type":"msg"}}]})",
        R"({"out":[{"topics":[42],"payload":"x"}]})", R"({"out":[{"topics":["chat/inbox/bob"])"}) {
    FanOutResult result = HandleJson(payload);
    EXPECT_FALSE(result.ok) << payload;
    EXPECT_FALSE(result.error.empty()) << payload;
  }
  EXPECT_TRUE(published_.empty());
}

}  // namespace
}  // namespace chat::plugin
