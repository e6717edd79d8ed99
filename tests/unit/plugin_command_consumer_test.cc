// The command consumer's presence (docs/PROTOCOL.md section 4, "Commands while
// chatd is away"): device commands pass only while a service connection's
// subscription to chat/up/+/+ is live; the grant that ends an absence says
// so, once, for the plugin to tell every connected user `ready`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "chat/topics.h"
#include "command_consumer.h"
#include "identity.h"

namespace chat::plugin {
namespace {

constexpr ConnectionId kChatd = 0x1000;
constexpr ConnectionId kChatdTakeover = 0x2000;
constexpr ConnectionId kOther = 0x3000;

const Identity kService{Identity::Kind::kService, "svc:chatd", ""};
const Identity kBobPhone{Identity::Kind::kDevice, "bob", "phone"};
const Identity kBobTablet{Identity::Kind::kDevice, "bob", "tablet"};
const Identity kAlicePhone{Identity::Kind::kDevice, "alice", "phone"};

TEST(CommandConsumer, NoConsumerUntilAServiceSubscribesToEveryUpTopic) {
  CommandConsumerTracker tracker;
  EXPECT_FALSE(tracker.present());
  EXPECT_FALSE(tracker.AdmitCommand(kBobPhone));
  tracker.Subscribed(kChatd, kService, kAllUpTopics);
  EXPECT_TRUE(tracker.present());
  EXPECT_TRUE(tracker.AdmitCommand(kBobPhone));
}

TEST(CommandConsumer, AnyFilterCoveringEveryUpTopicMakesAConsumer) {
  for (const char* filter : {"chat/up/#", "chat/up/+/#", "chat/up/+/+/#"}) {
    CommandConsumerTracker tracker;
    tracker.Subscribed(kChatd, kService, filter);
    EXPECT_TRUE(tracker.present()) << filter;
    tracker.Unsubscribed(kChatd, filter);
    EXPECT_FALSE(tracker.present()) << filter;
  }
}

TEST(CommandConsumer, OtherFiltersAndDeviceSubscriptionsDoNotMakeAConsumer) {
  CommandConsumerTracker tracker;
  tracker.Subscribed(kChatd, kService, "chat/sys/presence/+");
  tracker.Subscribed(kChatd, kService, "chat/up/bob/phone");
  tracker.Subscribed(kChatd, kService, "chat/up/bob/+");
  tracker.Subscribed(kChatd, kService, "chat/up/+/phone");
  tracker.Subscribed(kChatd, kService, "chat/up/+");
  tracker.Subscribed(kOther, kBobPhone, kAllUpTopics);  // the ACL would deny it anyway
  EXPECT_FALSE(tracker.present());
}

TEST(CommandConsumer, TheConsumersDisconnectEndsItsPresence) {
  CommandConsumerTracker tracker;
  tracker.Subscribed(kChatd, kService, kAllUpTopics);
  tracker.Disconnected(kOther);
  EXPECT_TRUE(tracker.present());
  tracker.Disconnected(kChatd);
  EXPECT_FALSE(tracker.present());
  EXPECT_FALSE(tracker.AdmitCommand(kBobPhone));
}

TEST(CommandConsumer, UnsubscribingFromEveryUpTopicEndsItsPresence) {
  CommandConsumerTracker tracker;
  tracker.Subscribed(kChatd, kService, kAllUpTopics);
  tracker.Unsubscribed(kChatd, "chat/sys/presence/+");
  EXPECT_TRUE(tracker.present());
  tracker.Unsubscribed(kChatd, kAllUpTopics);
  EXPECT_FALSE(tracker.present());
}

TEST(CommandConsumer, ATakeoverKeepsTheConsumerPresentUntilBothAreGone) {
  CommandConsumerTracker tracker;
  tracker.Subscribed(kChatd, kService, kAllUpTopics);
  tracker.Subscribed(kChatdTakeover, kService, kAllUpTopics);
  tracker.Disconnected(kChatd);
  EXPECT_TRUE(tracker.present());
  tracker.Disconnected(kChatdTakeover);
  EXPECT_FALSE(tracker.present());
}

TEST(CommandConsumer, ServiceCommandsAreNeverRefused) {
  CommandConsumerTracker tracker;
  EXPECT_TRUE(tracker.AdmitCommand(kService));
}

TEST(CommandConsumer, OnlyTheGrantThatEndsAnAbsenceIsAReturn) {
  CommandConsumerTracker tracker;
  EXPECT_FALSE(tracker.AdmitCommand(kAlicePhone));
  EXPECT_TRUE(tracker.Subscribed(kChatd, kService, kAllUpTopics)) << "the first grant";
  EXPECT_FALSE(tracker.Subscribed(kChatd, kService, kAllUpTopics)) << "repeated";
  EXPECT_FALSE(tracker.Subscribed(kChatdTakeover, kService, kAllUpTopics)) << "a takeover";
  tracker.Disconnected(kChatd);
  tracker.Disconnected(kChatdTakeover);
  EXPECT_FALSE(tracker.AdmitCommand(kBobTablet));
  EXPECT_TRUE(tracker.Subscribed(kChatd, kService, kAllUpTopics)) << "back after an absence";
  EXPECT_TRUE(tracker.AdmitCommand(kBobTablet));
}

TEST(CommandConsumer, TheEventsAreReadyAndARetryableUnavailableError) {
  EXPECT_EQ(ReadyEvent(), R"({"type":"ready"})");
  auto error = nlohmann::json::parse(UnavailableError());
  EXPECT_EQ(error["type"], "error");
  EXPECT_EQ(error["code"], "unavailable");
  EXPECT_EQ(error["retry_after_ms"], 1000);
  EXPECT_FALSE(error.contains("req_id"));
  EXPECT_FALSE(error.contains("cmid"));
}

}  // namespace
}  // namespace chat::plugin
