// pushd's pure decisions: the alert window, retry delays, telling a
// misconfigured app from dead tokens, what an alert says, the stats line.
#include <gtest/gtest.h>

#include <random>

#include "alert_text.h"
#include "alert_window.h"
#include "config_fault.h"
#include "push_stats.h"
#include "retry_policy.h"

namespace chat::push {
namespace {

TEST(AlertWindow, TheFirstAlertGoesAtOnceTheRestWaitForTheWindowsEnd) {
  AlertWindow window(10000);
  EXPECT_EQ(window.NextAllowed("bob/phone", 1000), 0);
  window.Record("bob/phone", 1000);
  EXPECT_EQ(window.NextAllowed("bob/phone", 1500), 11000);
  EXPECT_EQ(window.NextAllowed("bob/phone", 10999), 11000);
  EXPECT_EQ(window.NextAllowed("bob/phone", 11000), 0);
  EXPECT_EQ(window.NextAllowed("bob/laptop", 1500), 0);  // per device
}

TEST(AlertWindow, AZeroWindowNeverHolds) {
  AlertWindow window(0);
  window.Record("bob/phone", 1000);
  EXPECT_EQ(window.NextAllowed("bob/phone", 1000), 0);
}

TEST(RetryDelay, DoublesWithJitterUpToTheMaximum) {
  RetryOptions options{1000, 8000, 86400000};
  std::mt19937_64 random(7);
  for (int round = 0; round < 100; ++round) {
    for (auto [attempts, low, high] : {std::tuple{1, 500, 1000},
                                       {2, 1000, 2000},
                                       {3, 2000, 4000},
                                       {4, 4000, 8000},
                                       {9, 4000, 8000}}) {
      int64_t delay = RetryDelayMs(attempts, std::nullopt, options, random);
      EXPECT_GE(delay, low) << attempts;
      EXPECT_LE(delay, high) << attempts;
    }
  }
}

TEST(RetryDelay, RetryAfterIsHonouredAndClamped) {
  RetryOptions options{1000, 8000, 86400000};
  std::mt19937_64 random(7);
  EXPECT_GE(RetryDelayMs(1, 30, options, random), 30000);       // longer than the backoff
  EXPECT_EQ(RetryDelayMs(1, 99999, options, random), 3600000);  // at most an hour
  EXPECT_LE(RetryDelayMs(1, 0, options, random), 1000);         // 0 means "now": backoff rules
}

TEST(ConfigFault, DistinctTokensOfOneAppFailingAlikeAreOurFault) {
  ConfigFaultDetector faults(3);
  EXPECT_FALSE(faults.Failure("apns:com.example", "BadDeviceToken", "t1"));
  EXPECT_FALSE(faults.Failure("apns:com.example", "BadDeviceToken", "t1"));  // same token
  EXPECT_FALSE(faults.Failure("apns:com.example", "BadDeviceToken", "t2"));
  EXPECT_FALSE(faults.Failure("apns:other", "BadDeviceToken", "t3"));  // another app
  EXPECT_TRUE(faults.Failure("apns:com.example", "BadDeviceToken", "t3"));
  faults.Success("apns:com.example");
  EXPECT_FALSE(faults.Failure("apns:com.example", "BadDeviceToken", "t4"));
}

TEST(ConfigFault, ADifferentReasonStartsOver) {
  ConfigFaultDetector faults(2);
  EXPECT_FALSE(faults.Failure("fcm:a", "UNREGISTERED", "t1"));
  EXPECT_FALSE(faults.Failure("fcm:a", "INVALID_ARGUMENT", "t2"));
  EXPECT_TRUE(faults.Failure("fcm:a", "INVALID_ARGUMENT", "t3"));
}

TEST(AlertText, ThePreviewSettingDecidesWhatTheLockScreenShows) {
  AlertFacts direct{"alice", "see you at 6", false, "", 1, 1};
  EXPECT_EQ(ComposeAlert(direct, PushPreview::kFull), (AlertText{"alice", "see you at 6"}));
  EXPECT_EQ(ComposeAlert(direct, PushPreview::kSender), (AlertText{"alice", "New message"}));
  EXPECT_EQ(ComposeAlert(direct, PushPreview::kNone), (AlertText{"", "New message"}));
  AlertFacts group{"alice", "see you at 6", true, "Climbing", 1, 1};
  EXPECT_EQ(ComposeAlert(group, PushPreview::kFull),
            (AlertText{"Climbing", "alice: see you at 6"}));
  EXPECT_EQ(ComposeAlert(group, PushPreview::kSender),
            (AlertText{"Climbing", "alice: New message"}));
}

TEST(AlertText, SeveralMessagesAreCounted) {
  AlertFacts burst{"alice", "last one", true, "Team", 3, 1};
  EXPECT_EQ(ComposeAlert(burst, PushPreview::kFull), (AlertText{"Team", "3 new messages"}));
  EXPECT_EQ(ComposeAlert(burst, PushPreview::kNone), (AlertText{"", "3 new messages"}));
  AlertFacts chats{"alice", "x", false, "", 5, 2};
  EXPECT_EQ(ComposeAlert(chats, PushPreview::kFull), (AlertText{"", "5 new messages in 2 chats"}));
}

TEST(PushStats, TheSummaryCountsByProviderVerdictAndReasonThenStartsOver) {
  PushStats stats;
  stats.Record("apns", "delivered", "", 10);
  stats.Record("apns", "delivered", "", 30);
  stats.Record("fcm", "token_deleted", "UNREGISTERED", 20);
  EXPECT_EQ(stats.TakeSummary(4),
            "push stats: queue 4; apns delivered 2; fcm token_deleted (UNREGISTERED) 1; "
            "latency p50 20.0 ms, p99 30.0 ms, max 30.0 ms");
  EXPECT_EQ(stats.TakeSummary(0), "push stats: queue 0; no provider requests");
}

}  // namespace
}  // namespace chat::push
