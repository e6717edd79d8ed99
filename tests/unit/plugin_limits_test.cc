// Rate limits of the broker plugin: token buckets, the per-device and
// per-user command budgets with the flood rule, the connect budgets, and the
// cheap recognition of `typing`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "connect_limiter.h"
#include "publish_limiter.h"
#include "token_bucket.h"

namespace chat::plugin {
namespace {

TEST(TokenBucket, StartsFullSpendsAndRefillsAtItsRate) {
  BucketSpec spec{10, 3};  // 10 a second, 3 at once
  TokenBucket bucket(spec, 1000);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(bucket.WaitMs(spec, 1), 0);
    bucket.Take(1);
  }
  EXPECT_EQ(bucket.WaitMs(spec, 1), 100);
  bucket.Refill(spec, 1050);
  EXPECT_EQ(bucket.WaitMs(spec, 1), 50);
  bucket.Refill(spec, 1100);
  EXPECT_EQ(bucket.WaitMs(spec, 1), 0);
  EXPECT_FALSE(bucket.IsFullAt(spec, 1100));
  EXPECT_TRUE(bucket.IsFullAt(spec, 1300));
}

TEST(TokenBucket, TimeGoingBackAddsNothing) {
  BucketSpec spec{1, 1};
  TokenBucket bucket(spec, 5000);
  bucket.Take(1);
  bucket.Refill(spec, 1000);
  EXPECT_EQ(bucket.WaitMs(spec, 1), 1000);
}

TEST(TokenBucket, ACostAboveTheBurstPassesAFullBucketAndLeavesADebt) {
  BucketSpec spec{100, 100};
  TokenBucket bucket(spec, 0);
  ASSERT_EQ(bucket.WaitMs(spec, 300), 0);
  bucket.Take(300);
  EXPECT_EQ(bucket.WaitMs(spec, 1), 2010);  // 201 tokens missing at 100/s
}

// Small budgets, as a test's mosquitto.conf would set them.
PublishLimits SmallLimits() {
  PublishLimits limits;
  limits.device_messages = {10, 5};
  limits.device_bytes = {1000, 1000};
  limits.device_typing = {1, 2};
  limits.user_messages = {20, 8};
  limits.user_bytes = {10'000, 10'000};
  limits.error_interval_ms = 1000;
  limits.flood_disconnect_ms = 3000;
  limits.flood_disconnect_refusals = 50;
  return limits;
}

TEST(PublishLimiter, ADeviceGetsItsBurstThenIsRefusedWithWhenToRetry) {
  PublishLimiter limiter(SmallLimits());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.Admit("alice", "phone", 10, false, 0).allowed);
  PublishVerdict refused = limiter.Admit("alice", "phone", 10, false, 0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 100);
  EXPECT_TRUE(refused.tell);
  EXPECT_FALSE(refused.disconnect);
  EXPECT_EQ(refused.refusals, 1);
  EXPECT_TRUE(limiter.Admit("alice", "phone", 10, false, 100).allowed);
}

TEST(PublishLimiter, ARefusedCommandCostsNothing) {
  PublishLimiter limiter(SmallLimits());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.Admit("alice", "phone", 1, false, 0).allowed);
  for (int i = 0; i < 20; ++i) ASSERT_FALSE(limiter.Admit("alice", "phone", 1, false, 0).allowed);
  // Three refills' worth of time: three commands, whatever was refused before.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Admit("alice", "phone", 1, false, 300).allowed);
  EXPECT_FALSE(limiter.Admit("alice", "phone", 1, false, 300).allowed);
}

TEST(PublishLimiter, TheUserBudgetIsSharedByItsDevicesAndOthersAreUntouched) {
  PublishLimiter limiter(SmallLimits());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.Admit("alice", "phone", 1, false, 0).allowed);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.Admit("alice", "laptop", 1, false, 0).allowed);
  PublishVerdict refused = limiter.Admit("alice", "laptop", 1, false, 0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 50);  // the user's bucket: 20 a second
  EXPECT_TRUE(limiter.Admit("bob", "phone", 1, false, 0).allowed);
  EXPECT_EQ(limiter.tracked_devices(), 3u);
  EXPECT_EQ(limiter.tracked_users(), 2u);
}

TEST(PublishLimiter, BytesAreBudgetedAndABigCommandWaitsForItsBytes) {
  PublishLimiter limiter(SmallLimits());
  ASSERT_TRUE(limiter.Admit("alice", "phone", 800, false, 0).allowed);
  PublishVerdict refused = limiter.Admit("alice", "phone", 400, false, 0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 200);  // 200 bytes missing at 1000/s
  EXPECT_TRUE(limiter.Admit("alice", "phone", 100, false, 0).allowed);
}

TEST(PublishLimiter, TypingHasItsOwnBudgetAndLeavesSendsAlone) {
  PublishLimiter limiter(SmallLimits());
  ASSERT_TRUE(limiter.Admit("alice", "phone", 1, true, 0).allowed);
  ASSERT_TRUE(limiter.Admit("alice", "phone", 1, true, 0).allowed);
  PublishVerdict refused = limiter.Admit("alice", "phone", 1, true, 0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 1000);
  EXPECT_TRUE(limiter.Admit("alice", "phone", 1, false, 0).allowed);
}

TEST(PublishLimiter, TheDeviceIsToldAtMostOncePerInterval) {
  PublishLimits limits = SmallLimits();
  limits.device_messages = {0.001, 5};  // nothing comes back during the test
  PublishLimiter limiter(limits);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.Admit("alice", "phone", 1, false, 0).allowed);
  int told = 0;
  for (int64_t t = 0; t < 2500; t += 10) {
    PublishVerdict verdict = limiter.Admit("alice", "phone", 1, false, t);
    if (verdict.tell) {
      EXPECT_FALSE(verdict.allowed);
      ++told;
    }
  }
  EXPECT_EQ(told, 3);  // at 0, 1000 and 2000 ms
}

TEST(PublishLimiter, AFlooderIsDisconnectedAfterEnoughRefusalsInARow) {
  PublishLimiter limiter(SmallLimits());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.Admit("alice", "phone", 1, false, 0).allowed);
  for (int i = 1; i < 50; ++i) {
    PublishVerdict verdict = limiter.Admit("alice", "phone", 1, false, 0);
    ASSERT_FALSE(verdict.disconnect) << i;
  }
  PublishVerdict last = limiter.Admit("alice", "phone", 1, false, 0);
  EXPECT_TRUE(last.disconnect);
  EXPECT_EQ(last.refusals, 50);
  EXPECT_FALSE(limiter.Admit("alice", "phone", 1, false, 0).disconnect) << "once per run";
}

TEST(PublishLimiter, AFlooderIsDisconnectedAfterBeingRefusedLongEnough) {
  PublishLimits limits = SmallLimits();
  limits.device_messages = {0.001, 1};
  limits.flood_disconnect_refusals = 1'000'000;
  PublishLimiter limiter(limits);
  ASSERT_TRUE(limiter.Admit("alice", "phone", 1, false, 0).allowed);
  // Faster than the refill: every attempt is refused, the run goes on.
  PublishVerdict verdict;
  for (int64_t t = 10; t <= 4000; t += 10) {
    verdict = limiter.Admit("alice", "phone", 1, false, t);
    ASSERT_FALSE(verdict.allowed) << t;
    if (verdict.disconnect) break;
  }
  EXPECT_TRUE(verdict.disconnect);
  EXPECT_EQ(verdict.flooding_ms, 3000);
}

TEST(PublishLimiter, ADeviceThatWaitsAsToldIsNeverDisconnected) {
  PublishLimits limits = SmallLimits();
  limits.flood_disconnect_refusals = 2;
  PublishLimiter limiter(limits);
  int64_t now = 0;
  for (int i = 0; i < 200; ++i) {
    PublishVerdict verdict = limiter.Admit("alice", "phone", 1, false, now);
    ASSERT_FALSE(verdict.disconnect) << i;
    if (!verdict.allowed) now += verdict.retry_after_ms;
  }
}

TEST(PublishLimiter, APersonIsNeverLimitedByTheDefaults) {
  PublishLimiter limiter{PublishLimits{}};
  int64_t now = 0;
  // A burst of 100 sends of 2 KiB (the outbox's window), then sync pages.
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(limiter.Admit("a", "phone", 2048, false, now).allowed);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(limiter.Admit("a", "phone", 100, false, now).allowed);
  // Then a minute of typing (a keystroke burst every 2 s) and a send every 3 s.
  for (int s = 0; s < 60; ++s) {
    now += 1000;
    ASSERT_TRUE(limiter.Admit("a", "phone", 60, true, now).allowed) << s;
    if (s % 3 == 0) {
      ASSERT_TRUE(limiter.Admit("a", "phone", 500, false, now).allowed) << s;
    }
  }
}

TEST(PublishLimiter, IdleEntriesAreForgottenOnceTheirBucketsAreFull) {
  PublishLimiter limiter(SmallLimits());
  ASSERT_TRUE(limiter.Admit("alice", "phone", 500, true, 0).allowed);
  ASSERT_TRUE(limiter.Admit("bob", "phone", 1, false, 0).allowed);
  limiter.EvictIdle(100);  // bob's buckets are full again, alice's bytes are not
  EXPECT_EQ(limiter.tracked_devices(), 1u);
  limiter.EvictIdle(200);  // too soon after the last scan: nothing is looked at
  limiter.EvictIdle(100 + PublishLimiter::kEvictEveryMs);
  EXPECT_EQ(limiter.tracked_devices(), 0u);
  EXPECT_EQ(limiter.tracked_users(), 0u);
}

TEST(PublishLimiter, AFloodingDeviceIsNotForgotten) {
  PublishLimits limits = SmallLimits();
  limits.device_messages = {1000, 1};
  PublishLimiter limiter(limits);
  ASSERT_TRUE(limiter.Admit("alice", "phone", 1, false, 0).allowed);
  ASSERT_FALSE(limiter.Admit("alice", "phone", 1, false, 0).allowed);
  limiter.EvictIdle(100'000);
  EXPECT_EQ(limiter.tracked_devices(), 1u);
}

TEST(IsTypingCommand, FindsTheTypeMemberWithoutParsing) {
  EXPECT_TRUE(IsTypingCommand(R"({"type":"typing","conv":"c1"})"));
  EXPECT_TRUE(IsTypingCommand(R"({"conv":"c1","type":"typing"})"));
  EXPECT_TRUE(IsTypingCommand(R"({ "conv": "c1", "type" : "typing" })"));
  EXPECT_TRUE(IsTypingCommand(nlohmann::json{{"type", "typing"}, {"conv", "c"}}.dump()));
  EXPECT_FALSE(IsTypingCommand(R"({"type":"send","body":"typing"})"));
  EXPECT_FALSE(
      IsTypingCommand(nlohmann::json{{"type", "send"}, {"body", R"("type":"typing")"}}.dump()));
  EXPECT_FALSE(IsTypingCommand(R"({"type":"typingx"})"));
  EXPECT_FALSE(IsTypingCommand(R"({"type")"));
  EXPECT_FALSE(IsTypingCommand(""));
}

TEST(RateLimitedError, CarriesTheCodeAndTheRetryHint) {
  auto event = nlohmann::json::parse(RateLimitedError(250));
  EXPECT_EQ(event["type"], "error");
  EXPECT_EQ(event["code"], "rate_limited");
  EXPECT_EQ(event["retry_after_ms"], 250);
  EXPECT_FALSE(event.contains("req_id"));
  EXPECT_FALSE(event.contains("cmid"));
}

ConnectLimits SmallConnectLimits() { return {.address_failures = {1, 3}, .user_connects = {1, 2}}; }

TEST(ConnectLimiter, AnAddressThatKeepsFailingIsRefusedBeforeVerification) {
  ConnectLimiter limiter(SmallConnectLimits());
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(limiter.Check("10.0.0.1", "mallory", 0), 0) << i;
    limiter.Failed("10.0.0.1", 0);
  }
  EXPECT_EQ(limiter.Check("10.0.0.1", "alice", 0), 1000);
  EXPECT_EQ(limiter.Check("10.0.0.2", "alice", 0), 0) << "another address";
  EXPECT_EQ(limiter.Check("10.0.0.1", "alice", 1000), 0) << "refilled";
}

TEST(ConnectLimiter, SuccessesFromABusyAddressCostItNothing) {
  ConnectLimiter limiter(SmallConnectLimits());
  for (int i = 0; i < 100; ++i) {
    std::string user = "u" + std::to_string(i);
    ASSERT_EQ(limiter.Check("10.0.0.1", user, 0), 0) << i;
    limiter.Succeeded(user, 0);
  }
}

TEST(ConnectLimiter, AUserThatKeepsReconnectingIsRefusedAndOnlySuccessesCount) {
  ConnectLimiter limiter(SmallConnectLimits());
  for (int i = 0; i < 10; ++i) limiter.Failed("10.0.0.9", 0);  // bad tokens naming alice
  EXPECT_EQ(limiter.Check("10.0.0.1", "alice", 0), 0);
  limiter.Succeeded("alice", 0);
  limiter.Succeeded("alice", 0);
  EXPECT_EQ(limiter.Check("10.0.0.1", "alice", 0), 1000);
  EXPECT_EQ(limiter.Check("10.0.0.1", "bob", 0), 0);
}

TEST(ConnectLimiter, IdleEntriesAreForgotten) {
  ConnectLimiter limiter(SmallConnectLimits());
  limiter.Failed("10.0.0.1", 0);
  limiter.Succeeded("alice", 0);
  EXPECT_EQ(limiter.tracked(), 2u);
  limiter.EvictIdle(500);
  EXPECT_EQ(limiter.tracked(), 2u);
  limiter.EvictIdle(500 + ConnectLimiter::kEvictEveryMs);
  EXPECT_EQ(limiter.tracked(), 0u);
}

}  // namespace
}  // namespace chat::plugin
