// The command consumer's presence (docs/PROTOCOL.md section 4, "Commands while
// chatd is away"): device commands pass only while a service connection's
// subscription to chat/up/+/+ is live; devices refused meanwhile are told
// `ready` once, when such a subscription is granted again.
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

using Devices = std::vector<DeviceAddress>;

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
  EXPECT_EQ(tracker.waiting_count(), 0u);
}

TEST(CommandConsumer, TheReturningConsumerNamesEachRefusedDeviceOnceInIdOrder) {
  CommandConsumerTracker tracker;
  EXPECT_FALSE(tracker.AdmitCommand(kBobTablet));
  EXPECT_FALSE(tracker.AdmitCommand(kBobPhone));
  EXPECT_FALSE(tracker.AdmitCommand(kBobPhone));
  EXPECT_FALSE(tracker.AdmitCommand(kAlicePhone));
  EXPECT_EQ(tracker.waiting_count(), 3u);
  EXPECT_EQ(tracker.Subscribed(kChatd, kService, kAllUpTopics),
            (Devices{{"alice", "phone"}, {"bob", "phone"}, {"bob", "tablet"}}));
  EXPECT_EQ(tracker.waiting_count(), 0u);
}

TEST(CommandConsumer, ARepeatedOrSecondGrantNamesNobody) {
  CommandConsumerTracker tracker;
  tracker.AdmitCommand(kBobPhone);
  EXPECT_EQ(tracker.Subscribed(kChatd, kService, kAllUpTopics).size(), 1u);
  EXPECT_TRUE(tracker.Subscribed(kChatd, kService, kAllUpTopics).empty());
  EXPECT_TRUE(tracker.Subscribed(kChatdTakeover, kService, kAllUpTopics).empty());
}

TEST(CommandConsumer, EachAbsenceHasItsOwnRefusedDevices) {
  CommandConsumerTracker tracker;
  tracker.AdmitCommand(kBobPhone);
  tracker.Subscribed(kChatd, kService, kAllUpTopics);
  tracker.Disconnected(kChatd);
  tracker.AdmitCommand(kAlicePhone);
  EXPECT_EQ(tracker.Subscribed(kChatdTakeover, kService, kAllUpTopics),
            (Devices{{"alice", "phone"}}));
}

TEST(CommandConsumer, PastTheBoundDevicesAreRefusedWithoutBeingRemembered) {
  CommandConsumerTracker tracker(/*max_waiting_devices=*/2);
  EXPECT_FALSE(tracker.AdmitCommand(kAlicePhone));
  EXPECT_FALSE(tracker.AdmitCommand(kBobPhone));
  EXPECT_FALSE(tracker.AdmitCommand(kBobTablet));
  EXPECT_FALSE(tracker.AdmitCommand(kAlicePhone));  // already remembered
  EXPECT_EQ(tracker.waiting_count(), 2u);
  EXPECT_EQ(tracker.Subscribed(kChatd, kService, kAllUpTopics),
            (Devices{{"alice", "phone"}, {"bob", "phone"}}));
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
