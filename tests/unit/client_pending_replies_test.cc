// Specification of how replies are matched to the sends and requests waiting for them.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "pending_replies.h"

namespace chat::client {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kNoWait(0);
constexpr milliseconds kLongWait(5000);

Event Accepted(std::string cmid, std::string req_id = "") {
  Event e;
  e.type = "accepted";
  e.conv = "c1";
  e.seq = 1;
  e.cmid = std::move(cmid);
  e.req_id = std::move(req_id);
  return e;
}

Event Error(std::string cmid, std::string req_id, std::string code = "not_member") {
  Event e;
  e.type = "error";
  e.code = std::move(code);
  e.cmid = std::move(cmid);
  e.req_id = std::move(req_id);
  return e;
}

Event ConvReply(std::string req_id) {
  Event e;
  e.type = "conv";
  e.conv = "c1";
  e.req_id = std::move(req_id);
  return e;
}

TEST(PendingReplies, AcceptedAnswersTheSendWithItsCmid) {
  PendingReplies pending;
  pending.ExpectAcceptance("m1", "");
  EXPECT_TRUE(pending.Offer(Accepted("m1")));
  auto answer = pending.WaitForAcceptance("m1", kNoWait);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->type, "accepted");
  EXPECT_EQ(pending.open_count(), 0u);
}

TEST(PendingReplies, AnAnswerArrivingBeforeTheWaitIsKeptForIt) {
  PendingReplies pending;
  pending.ExpectAcceptance("m1", "");
  pending.Offer(Accepted("m1"));
  EXPECT_TRUE(pending.WaitForAcceptance("m1", kNoWait));
}

TEST(PendingReplies, AnAnswerIsClaimedOnlyOnce) {
  PendingReplies pending;
  pending.ExpectAcceptance("m1", "");
  pending.Offer(Accepted("m1"));
  EXPECT_TRUE(pending.WaitForAcceptance("m1", kNoWait));
  EXPECT_FALSE(pending.WaitForAcceptance("m1", kNoWait));
}

TEST(PendingReplies, ErrorWithTheCmidAnswersTheSend) {
  PendingReplies pending;
  pending.ExpectAcceptance("m1", "r1");
  EXPECT_TRUE(pending.Offer(Error("m1", "")));
  auto answer = pending.WaitForAcceptance("m1", kNoWait);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->code, "not_member");
}

TEST(PendingReplies, ErrorWithOnlyTheReqIdAnswersTheSend) {
  PendingReplies pending;
  pending.ExpectAcceptance("m1", "r1");
  EXPECT_TRUE(pending.Offer(Error("", "r1")));
  EXPECT_TRUE(pending.WaitForAcceptance("m1", kNoWait));
}

TEST(PendingReplies, AnotherDevicesAcceptedWithTheSameReqIdIsNotOurs) {
  PendingReplies pending;
  pending.ExpectAcceptance("m1", "r1");
  EXPECT_FALSE(pending.Offer(Accepted("other-device-cmid", "r1")));
  EXPECT_EQ(pending.open_count(), 1u);
}

TEST(PendingReplies, AcceptedOfAnUntrackedCmidIsNotOurs) {
  PendingReplies pending;
  EXPECT_FALSE(pending.Offer(Accepted("m9")));
}

TEST(PendingReplies, ConvReplyAnswersTheRequestWithItsReqId) {
  PendingReplies pending;
  pending.ExpectReply("r3");
  EXPECT_TRUE(pending.Offer(ConvReply("r3")));
  auto answer = pending.WaitForReply("r3", kNoWait);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->type, "conv");
}

TEST(PendingReplies, ErrorWithTheReqIdAnswersTheRequest) {
  PendingReplies pending;
  pending.ExpectReply("r3");
  EXPECT_TRUE(pending.Offer(Error("", "r3", "unknown_user")));
  EXPECT_EQ(pending.WaitForReply("r3", kNoWait)->code, "unknown_user");
}

TEST(PendingReplies, ErrorWithoutIdsAnswersTheOnlyOpenEntry) {
  PendingReplies pending;
  pending.ExpectAcceptance("m1", "");
  EXPECT_TRUE(pending.Offer(Error("", "", "payload_too_large")));
  EXPECT_EQ(pending.WaitForAcceptance("m1", kNoWait)->code, "payload_too_large");
}

TEST(PendingReplies, ErrorWithoutIdsIsNotGuessedWhenSeveralAreOpen) {
  PendingReplies pending;
  pending.ExpectAcceptance("m1", "");
  pending.ExpectAcceptance("m2", "");
  EXPECT_FALSE(pending.Offer(Error("", "", "payload_too_large")));
  EXPECT_EQ(pending.open_count(), 2u);
}

TEST(PendingReplies, WaitTimesOutAndKeepsTheEntryOpen) {
  PendingReplies pending;
  pending.ExpectAcceptance("m1", "");
  EXPECT_FALSE(pending.WaitForAcceptance("m1", milliseconds(20)));
  EXPECT_EQ(pending.open_count(), 1u);
  pending.Offer(Accepted("m1"));
  EXPECT_TRUE(pending.WaitForAcceptance("m1", kNoWait));
}

TEST(PendingReplies, WaitForAnUntrackedCmidReturnsAtOnce) {
  PendingReplies pending;
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(pending.WaitForAcceptance("never-sent", kLongWait));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1000));
}

TEST(PendingReplies, WaitWakesWhenTheAnswerArrivesFromAnotherThread) {
  PendingReplies pending;
  pending.ExpectAcceptance("m1", "");
  std::thread receiver([&] {
    std::this_thread::sleep_for(milliseconds(20));
    pending.Offer(Accepted("m1"));
  });
  EXPECT_TRUE(pending.WaitForAcceptance("m1", kLongWait));
  receiver.join();
}

TEST(PendingReplies, ForgettingASendWakesItsWaiter) {
  PendingReplies pending;
  pending.ExpectAcceptance("m1", "");
  std::thread app([&] {
    std::this_thread::sleep_for(milliseconds(20));
    pending.ForgetSend("m1");
  });
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(pending.WaitForAcceptance("m1", kLongWait));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  app.join();
  EXPECT_EQ(pending.open_count(), 0u);
}

TEST(PendingReplies, TrackingTheSameCmidAgainStartsAFreshWait) {
  PendingReplies pending;
  pending.ExpectAcceptance("m1", "");
  pending.ExpectAcceptance("m1", "");
  EXPECT_EQ(pending.open_count(), 1u);
  pending.Offer(Accepted("m1"));
  EXPECT_TRUE(pending.WaitForAcceptance("m1", kNoWait));
}

TEST(PendingReplies, OldestUnclaimedAnswersAreDroppedPastTheCap) {
  PendingReplies pending(/*max_unclaimed=*/2);
  for (const char* cmid : {"m1", "m2", "m3"}) {
    pending.ExpectAcceptance(cmid, "");
    pending.Offer(Accepted(cmid));
  }
  EXPECT_FALSE(pending.WaitForAcceptance("m1", kNoWait));
  EXPECT_TRUE(pending.WaitForAcceptance("m2", kNoWait));
  EXPECT_TRUE(pending.WaitForAcceptance("m3", kNoWait));
}

TEST(PendingReplies, UnansweredEntriesAreNeverDroppedByTheCap) {
  PendingReplies pending(/*max_unclaimed=*/1);
  pending.ExpectAcceptance("waiting", "");
  for (const char* cmid : {"m1", "m2", "m3"}) {
    pending.ExpectAcceptance(cmid, "");
    pending.Offer(Accepted(cmid));
  }
  EXPECT_EQ(pending.open_count(), 1u);
  pending.Offer(Accepted("waiting"));
  EXPECT_TRUE(pending.WaitForAcceptance("waiting", kNoWait));
}

}  // namespace
}  // namespace chat::client
