// Specification of when sync requests go out: a round on connect, pages
// until `more` is false, retries with backoff, coalescing, and the backlog
// check (a round after many packets, once they pause).
#include <gtest/gtest.h>

#include "sync_driver.h"

namespace chat::client {
namespace {

using std::chrono::milliseconds;
using Clock = SyncDriver::Clock;
using Reply = SyncDriver::Reply;

SyncPolicy Policy() {
  SyncPolicy p;
  p.reply_timeout = milliseconds(1000);
  p.retry = {milliseconds(100), milliseconds(800)};
  p.backlog_events = 5;
  p.backlog_quiet = milliseconds(200);
  p.backlog_interval = milliseconds(2000);
  return p;
}

Event SyncReply(const std::string& req_id, bool more) {
  Event e;
  e.type = "sync";
  e.req_id = req_id;
  e.more = more;
  return e;
}

Event ErrorReply(const std::string& req_id, const std::string& code) {
  Event e;
  e.type = "error";
  e.req_id = req_id;
  e.code = code;
  return e;
}

class SyncDriverTest : public testing::Test {
 protected:
  SyncDriver driver_{Policy(), [] { return 1.0; }};  // delays at their ceiling
  Clock::time_point t0_ = Clock::now();
};

TEST_F(SyncDriverTest, NothingIsSentBeforeConnecting) {
  driver_.Want();
  EXPECT_FALSE(driver_.Poll(t0_));
}

TEST_F(SyncDriverTest, ConnectingStartsARoundAtOnce) {
  driver_.OnConnected();
  auto req = driver_.Poll(t0_);
  ASSERT_TRUE(req);
  EXPECT_EQ(req->rfind("sync-", 0), 0u);
  EXPECT_FALSE(driver_.Poll(t0_));  // one request in flight at a time
}

TEST_F(SyncDriverTest, MoreAsksForTheNextPageAtOnce) {
  driver_.OnConnected();
  auto first = driver_.Poll(t0_);
  EXPECT_EQ(driver_.OnReply(SyncReply(*first, true), t0_), Reply::kNextPage);
  auto second = driver_.Poll(t0_);
  ASSERT_TRUE(second);
  EXPECT_NE(*second, *first);
  EXPECT_EQ(driver_.OnReply(SyncReply(*second, false), t0_), Reply::kRoundDone);
  driver_.AfterRound(false, t0_);
  EXPECT_FALSE(driver_.Poll(t0_ + milliseconds(5000)));
}

TEST_F(SyncDriverTest, RepliesToOtherRequestsAreNotMine) {
  driver_.OnConnected();
  auto req = driver_.Poll(t0_);
  EXPECT_EQ(driver_.OnReply(SyncReply("r-other", false), t0_), Reply::kNotMine);
  Event conv;
  conv.type = "conv";
  conv.req_id = *req;
  EXPECT_EQ(driver_.OnReply(conv, t0_), Reply::kNotMine);
  EXPECT_TRUE(driver_.awaiting());
}

TEST_F(SyncDriverTest, AnErrorIsRetriedAfterABackoffDelay) {
  driver_.OnConnected();
  auto req = driver_.Poll(t0_);
  EXPECT_EQ(driver_.OnReply(ErrorReply(*req, "internal"), t0_), Reply::kFailed);
  EXPECT_FALSE(driver_.Poll(t0_ + milliseconds(99)));
  EXPECT_TRUE(driver_.Poll(t0_ + milliseconds(100)));
}

TEST_F(SyncDriverTest, AnUnansweredRequestIsAskedAgainAfterTheTimeoutAndBackoff) {
  driver_.OnConnected();
  auto first = driver_.Poll(t0_);
  EXPECT_FALSE(driver_.Poll(t0_ + milliseconds(999)));
  EXPECT_FALSE(driver_.Poll(t0_ + milliseconds(1000)));  // timed out: retry scheduled
  auto second = driver_.Poll(t0_ + milliseconds(1100));
  ASSERT_TRUE(second);
  EXPECT_EQ(driver_.OnReply(SyncReply(*first, false), t0_), Reply::kNotMine);  // late: ignored
}

TEST_F(SyncDriverTest, WantingDuringARoundRunsOneMoreRoundAfterIt) {
  driver_.OnConnected();
  auto req = driver_.Poll(t0_);
  driver_.Want();
  driver_.Want();
  EXPECT_FALSE(driver_.Poll(t0_));
  driver_.OnReply(SyncReply(*req, false), t0_);
  driver_.AfterRound(false, t0_);
  auto again = driver_.Poll(t0_);
  ASSERT_TRUE(again);
  driver_.OnReply(SyncReply(*again, false), t0_);
  driver_.AfterRound(false, t0_);
  EXPECT_FALSE(driver_.Poll(t0_));
}

TEST_F(SyncDriverTest, AGapLeftAfterARoundIsRetriedWithGrowingDelays) {
  driver_.OnConnected();
  Clock::time_point now = t0_;
  std::vector<int64_t> delays;
  for (int i = 0; i < 5; ++i) {
    auto req = driver_.Poll(now);
    ASSERT_TRUE(req);
    driver_.OnReply(SyncReply(*req, false), now);
    driver_.AfterRound(true, now);
    auto due = driver_.NextDeadline();
    ASSERT_TRUE(due);
    delays.push_back(std::chrono::duration_cast<milliseconds>(*due - now).count());
    now = *due;
  }
  EXPECT_EQ(delays, (std::vector<int64_t>{100, 200, 400, 800, 800}));
}

TEST_F(SyncDriverTest, AServerWithoutSyncIsNotAskedAgainUntilTheNextConnect) {
  driver_.OnConnected();
  auto req = driver_.Poll(t0_);
  EXPECT_EQ(driver_.OnReply(ErrorReply(*req, "unknown_type"), t0_), Reply::kUnsupported);
  EXPECT_FALSE(driver_.supported());
  driver_.Want();
  EXPECT_FALSE(driver_.Poll(t0_ + milliseconds(60000)));
  driver_.OnDisconnected();
  driver_.OnConnected();
  EXPECT_TRUE(driver_.Poll(t0_ + milliseconds(60000)));
}

TEST_F(SyncDriverTest, ADisconnectRestartsTheInterruptedRoundOnTheNextConnect) {
  driver_.OnConnected();
  auto req = driver_.Poll(t0_);
  driver_.OnReply(SyncReply(*req, true), t0_);
  driver_.OnDisconnected();
  EXPECT_FALSE(driver_.Poll(t0_));
  driver_.OnConnected();
  auto fresh = driver_.Poll(t0_);
  ASSERT_TRUE(fresh);
  EXPECT_FALSE(driver_.Poll(t0_));
}

TEST_F(SyncDriverTest, NextDeadlineSaysWhenPollHasWork) {
  EXPECT_FALSE(driver_.NextDeadline());
  driver_.OnConnected();
  EXPECT_LE(*driver_.NextDeadline(), t0_);
  driver_.Poll(t0_);
  EXPECT_EQ(*driver_.NextDeadline(), t0_ + milliseconds(1000));
}

// The connect round has run and ended at t0_.
class BacklogCheckTest : public SyncDriverTest {
 protected:
  void SetUp() override {
    driver_.OnConnected();
    auto req = driver_.Poll(t0_);
    ASSERT_EQ(driver_.OnReply(SyncReply(*req, false), t0_), Reply::kRoundDone);
    driver_.AfterRound(false, t0_);
  }
  void Receive(int count, Clock::time_point at) {
    for (int i = 0; i < count; ++i) driver_.OnReceived(at);
  }
};

TEST_F(BacklogCheckTest, ManyPacketsThenAPauseStartARound) {
  Receive(5, t0_ + milliseconds(10));
  EXPECT_EQ(*driver_.NextDeadline(), t0_ + milliseconds(210));
  EXPECT_FALSE(driver_.Poll(t0_ + milliseconds(209)));
  EXPECT_TRUE(driver_.Poll(t0_ + milliseconds(210)));
}

TEST_F(BacklogCheckTest, FewerPacketsStartNoRound) {
  Receive(4, t0_ + milliseconds(10));
  EXPECT_FALSE(driver_.NextDeadline());
  EXPECT_FALSE(driver_.Poll(t0_ + milliseconds(5000)));
}

TEST_F(BacklogCheckTest, AStreamWithoutPausesGetsARoundEveryInterval) {
  // The connect round began at t0_; a packet every 100 ms never leaves a pause.
  Clock::time_point now = t0_;
  std::optional<std::string> req;
  while (!req && now < t0_ + milliseconds(5000)) {
    now += milliseconds(100);
    Receive(1, now);
    req = driver_.Poll(now);
  }
  ASSERT_TRUE(req);
  EXPECT_EQ(now, t0_ + milliseconds(2000));
}

TEST_F(BacklogCheckTest, ARoundCountsAfresh) {
  Receive(5, t0_);
  auto req = driver_.Poll(t0_ + milliseconds(200));
  ASSERT_TRUE(req);
  driver_.OnReply(SyncReply(*req, false), t0_ + milliseconds(250));
  driver_.AfterRound(false, t0_ + milliseconds(250));
  Receive(4, t0_ + milliseconds(300));  // the reply itself among them
  EXPECT_FALSE(driver_.Poll(t0_ + milliseconds(5000)));
}

TEST_F(BacklogCheckTest, ZeroTurnsItOff) {
  SyncPolicy policy = Policy();
  policy.backlog_events = 0;
  SyncDriver driver(policy, [] { return 1.0; });
  driver.OnConnected();
  auto req = driver.Poll(t0_);
  driver.OnReply(SyncReply(*req, false), t0_);
  for (int i = 0; i < 100; ++i) driver.OnReceived(t0_);
  EXPECT_FALSE(driver.NextDeadline());
  EXPECT_FALSE(driver.Poll(t0_ + milliseconds(5000)));
}

}  // namespace
}  // namespace chat::client
