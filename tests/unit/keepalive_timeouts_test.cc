// Specification of keepalive timeouts read from the broker's notice log
// (chat-service/src/chatd/keepalive_timeouts.h).
#include "chatd/keepalive_timeouts.h"

#include <gtest/gtest.h>

#include <string>

namespace chat {
namespace {

constexpr int64_t kNoticed = 1'700'000'060'000;

PresenceTransition Went(const std::string& device, int64_t devices = 0, int64_t keepalive_s = 30) {
  return {"bob", false, kNoticed, device, devices, keepalive_s};
}

TEST(TimedOutClientId, ReadsTheClientOfATimeoutLineWithOrWithoutATimestamp) {
  EXPECT_EQ(TimedOutClientId("1700000060: Client bob:phone has exceeded timeout, disconnecting."),
            "bob:phone");
  EXPECT_EQ(TimedOutClientId("Client bob:phone has exceeded timeout, disconnecting."), "bob:phone");
  EXPECT_EQ(TimedOutClientId("2026-12-07T21:40:00: Client svc:chatd has exceeded timeout, "
                             "disconnecting.\n"),
            "svc:chatd");
}

TEST(TimedOutClientId, IgnoresEveryOtherLine) {
  for (const char* line : {
           "",
           "1700000060: Client bob:phone disconnected.",
           "1700000060: Client bob:phone closed its connection.",
           "1700000060: Socket error on client bob:phone, disconnecting.",
           "1700000060: New client connected from 127.0.0.1:4242 as bob:phone (p2, c1, k30).",
           "1700000060: Client  has exceeded timeout, disconnecting.",
           "1700000060: Client a b has exceeded timeout, disconnecting.",
           "1700000060: XClient bob:phone has exceeded timeout, disconnecting.",
           "has exceeded timeout, disconnecting.",
       }) {
    EXPECT_EQ(TimedOutClientId(line), std::nullopt) << line;
  }
}

TEST(KeepaliveTimeouts, ALoggedTimeoutDatesTheDepartureAtTheLastPacket) {
  KeepaliveTimeouts timeouts;
  EXPECT_TRUE(timeouts.OnLogLine("Client bob:phone has exceeded timeout, disconnecting.", 0));
  std::vector<PresenceTransition> changed{Went("phone")};
  timeouts.Backdate(changed);
  // 1.5 x 30 s, and 3 s for the broker's 5 s between looks.
  EXPECT_EQ(changed[0].left_ms, kNoticed - 45'000 - 3'000);
  EXPECT_TRUE(changed[0].timed_out);
  EXPECT_EQ(timeouts.pending(), 0u);

  // Once: the next departure of that device is another connection's.
  changed = {Went("phone")};
  timeouts.Backdate(changed);
  EXPECT_EQ(changed[0].left_ms, kNoticed);
}

TEST(KeepaliveTimeouts, OnlyTheDeviceNamedIsDatedAndArrivalsAreLeftAlone) {
  KeepaliveTimeouts timeouts;
  timeouts.OnLogLine("Client bob:phone has exceeded timeout, disconnecting.", 0);
  std::vector<PresenceTransition> changed{Went("laptop", 1), {"bob", true, 0, "phone", 2}};
  timeouts.Backdate(changed);
  EXPECT_EQ(changed[0].left_ms, kNoticed);
  EXPECT_FALSE(changed[0].timed_out);
  EXPECT_EQ(changed[1].left_ms, 0);
  EXPECT_EQ(timeouts.pending(), 1u);

  changed = {Went("phone", 1)};  // one of two devices: dated too
  timeouts.Backdate(changed);
  EXPECT_EQ(changed[0].left_ms, kNoticed - 48'000);
}

TEST(KeepaliveTimeouts, ADepartureThePluginDatedOrWithoutKeepaliveIsNotDatedAgain) {
  KeepaliveTimeouts timeouts;
  timeouts.OnLogLine("Client bob:phone has exceeded timeout, disconnecting.", 0);
  timeouts.OnLogLine("Client bob:tv has exceeded timeout, disconnecting.", 0);
  PresenceTransition dated = Went("phone");
  dated.timed_out = true;
  std::vector<PresenceTransition> changed{dated, Went("tv", 0, /*keepalive_s=*/0)};
  timeouts.Backdate(changed);
  EXPECT_EQ(changed[0].left_ms, kNoticed);
  EXPECT_EQ(changed[1].left_ms, kNoticed);
  EXPECT_EQ(timeouts.pending(), 0u);
}

TEST(KeepaliveTimeouts, TimeoutsWhoseDepartureNeverCameAreForgotten) {
  KeepaliveTimeouts timeouts;
  timeouts.OnLogLine("Client svc:other has exceeded timeout, disconnecting.", 0);
  timeouts.OnLogLine("Client bob:phone has exceeded timeout, disconnecting.",
                     KeepaliveTimeouts::kForgetAfterMs + 1);
  EXPECT_EQ(timeouts.pending(), 1u);
  for (std::size_t i = 0; i < KeepaliveTimeouts::kMaxPending + 5; ++i) {
    timeouts.OnLogLine("Client u" + std::to_string(i) + ":d has exceeded timeout, disconnecting.",
                       KeepaliveTimeouts::kForgetAfterMs + 2);
  }
  EXPECT_EQ(timeouts.pending(), KeepaliveTimeouts::kMaxPending);
  EXPECT_FALSE(timeouts.OnLogLine("Client bob:phone closed its connection.", 0));
}

TEST(KeepaliveTimeouts, DeparturesWithoutAnyLogLineAreReportedOnce) {
  KeepaliveTimeouts quiet;
  std::vector<PresenceTransition> changed{Went("phone"), {"bob", true, 0, "phone", 1}};
  quiet.Backdate(changed);
  quiet.Backdate(changed);
  EXPECT_FALSE(quiet.TakeLogMissing()) << "2 departures are not yet a pattern";
  quiet.Backdate(changed);
  EXPECT_TRUE(quiet.TakeLogMissing());
  quiet.Backdate(changed);
  EXPECT_FALSE(quiet.TakeLogMissing()) << "once";

  KeepaliveTimeouts logging;
  logging.OnLogLine("1700000060: Client bob:phone disconnected.", 0);
  for (int i = 0; i < 5; ++i) logging.Backdate(changed);
  EXPECT_FALSE(logging.TakeLogMissing());
}

}  // namespace
}  // namespace chat
