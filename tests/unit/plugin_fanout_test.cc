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
  EXPECT_TRUE(result.status.ok()) << result.status.message();
  EXPECT_EQ(result.copies, 3u);
  Published expected = {
      {"chat/inbox/bob/c1", "m1"}, {"chat/inbox/carol/c1", "m1"}, {"chat/inbox/alice/c1", "a1"}};
  EXPECT_EQ(published_, expected);
}

TEST_F(PluginFanOutTest, UserInboxAndDeviceTopicsAreValidTargets) {
  FanOutResult result = Handle(Item({"chat/inbox/bob", "chat/dev/alice/phone"}, "x"));
  EXPECT_TRUE(result.status.ok()) << result.status.message();
  EXPECT_EQ(published_.size(), 2u);
}

TEST_F(PluginFanOutTest, PayloadIsPublishedVerbatim) {
  const std::string event = "{\"type\":\"msg\",\"body\":\"h\xc3\xa9\\n\"}\n";
  Handle(Item({"chat/inbox/bob/c1"}, event));
  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0].second, event);
}

TEST_F(PluginFanOutTest, EmptyBatchPublishesNothing) {
  EXPECT_TRUE(Handle("").status.ok());
  EXPECT_TRUE(published_.empty());
}

TEST_F(PluginFanOutTest, DeviceMayNotFanOut) {
  FanOutResult result = Handle(Item({"chat/inbox/alice/c1"}, "x"), "alice", "alice:phone");
  EXPECT_FALSE(result.status.ok());
  EXPECT_TRUE(published_.empty());
}

TEST_F(PluginFanOutTest, BatchWithANonChatTargetPublishesNothing) {
  FanOutResult result =
      Handle(Item({"chat/inbox/bob/c1"}, "ok") + Item({"chat/up/bob/phone"}, "forged"));
  EXPECT_FALSE(result.status.ok());
  EXPECT_NE(result.status.message().find("item 1 targets chat/up/bob/phone"), std::string::npos)
      << result.status.message();
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
  for (std::string payload :
       {std::string("not frames"), std::string(R"({"out":[]})"), good.substr(0, good.size() - 1),
        good + "1 1\n", good + "1 5\nchat/inbox/bob\nx\n"}) {
    FanOutResult result = Handle(payload);
    EXPECT_FALSE(result.status.ok()) << payload;
    EXPECT_FALSE(result.status.message().empty()) << payload;
  }
  EXPECT_TRUE(published_.empty());
}

TEST_F(PluginFanOutTest, RefusedCopiesAreReported) {
  accept_ = false;
  FanOutResult result = Handle(Item({"chat/inbox/bob"}, "x"));
  EXPECT_FALSE(result.status.ok());
  EXPECT_EQ(result.copies, 0u);
  EXPECT_FALSE(result.status.message().empty());
}

}  // namespace
}  // namespace chat::plugin
