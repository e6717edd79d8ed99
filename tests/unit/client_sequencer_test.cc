// Specification of ordering and deduplication by (conv, seq): what the
// application sees of each conversation is every message once, in order.
#include <gtest/gtest.h>

#include "sequencer.h"

namespace chat::client {
namespace {

Event Msg(const std::string& conv, int64_t seq, std::string type = "msg") {
  Event e;
  e.type = std::move(type);
  e.conv = conv;
  e.seq = seq;
  e.body = conv + "#" + std::to_string(seq);
  return e;
}

std::vector<int64_t> Seqs(const std::vector<Event>& events) {
  std::vector<int64_t> out;
  for (const auto& e : events) out.push_back(e.seq);
  return out;
}

using Seq = std::vector<int64_t>;
using Verdict = Sequencer::Verdict;

TEST(Sequencer, ANewConversationStartsAtSeqOne) {
  Sequencer s;
  auto out = s.Offer(Msg("c1", 1));
  EXPECT_EQ(out.verdict, Verdict::kReleased);
  EXPECT_EQ(Seqs(out.released), Seq{1});
  EXPECT_EQ(s.Cursor("c1"), 1);
}

TEST(Sequencer, ConsecutiveMessagesAreReleasedAtOnce) {
  Sequencer s;
  for (int64_t seq = 1; seq <= 5; ++seq)
    EXPECT_EQ(Seqs(s.Offer(Msg("c1", seq)).released), Seq{seq});
  EXPECT_EQ(s.Cursor("c1"), 5);
  EXPECT_FALSE(s.HoldsAnything());
}

TEST(Sequencer, AMessageSeenTwiceIsDroppedTheSecondTime) {
  Sequencer s;
  s.Offer(Msg("c1", 1));
  auto again = s.Offer(Msg("c1", 1));
  EXPECT_EQ(again.verdict, Verdict::kDuplicate);
  EXPECT_TRUE(again.released.empty());
}

TEST(Sequencer, AcceptedAndMsgOfTheSameSeqAreOneMessage) {
  Sequencer s;
  s.Offer(Msg("c1", 1, "accepted"));
  EXPECT_EQ(s.Offer(Msg("c1", 1, "msg")).verdict, Verdict::kDuplicate);
}

TEST(Sequencer, AnOlderMessageThanTheCursorIsADuplicate) {
  Sequencer s({{"c1", 10}});
  EXPECT_EQ(s.Offer(Msg("c1", 3)).verdict, Verdict::kDuplicate);
  EXPECT_EQ(s.Offer(Msg("c1", 10)).verdict, Verdict::kDuplicate);
}

TEST(Sequencer, AJumpIsHeldAndOpensAGap) {
  Sequencer s({{"c1", 2}});
  auto out = s.Offer(Msg("c1", 5));
  EXPECT_EQ(out.verdict, Verdict::kHeld);
  EXPECT_TRUE(out.gap_opened);
  EXPECT_TRUE(out.released.empty());
  EXPECT_EQ(s.Cursor("c1"), 2);
  EXPECT_EQ(s.held_count(), 1u);
}

TEST(Sequencer, OnlyTheFirstHeldMessageOpensTheGap) {
  Sequencer s({{"c1", 2}});
  s.Offer(Msg("c1", 5));
  auto second = s.Offer(Msg("c1", 6));
  EXPECT_EQ(second.verdict, Verdict::kHeld);
  EXPECT_FALSE(second.gap_opened);
}

TEST(Sequencer, FillingTheGapReleasesEverythingInSeqOrder) {
  Sequencer s({{"c1", 2}});
  s.Offer(Msg("c1", 5));
  s.Offer(Msg("c1", 4));
  EXPECT_TRUE(s.Offer(Msg("c1", 6)).released.empty());
  auto out = s.Offer(Msg("c1", 3));
  EXPECT_EQ(Seqs(out.released), (Seq{3, 4, 5, 6}));
  EXPECT_EQ(s.Cursor("c1"), 6);
  EXPECT_FALSE(s.HoldsAnything());
}

TEST(Sequencer, AHeldMessageArrivingAgainIsADuplicate) {
  Sequencer s({{"c1", 2}});
  s.Offer(Msg("c1", 5));
  EXPECT_EQ(s.Offer(Msg("c1", 5)).verdict, Verdict::kDuplicate);
  EXPECT_EQ(s.held_count(), 1u);
}

TEST(Sequencer, ReverseArrivalOfTenIsReleasedInOrder) {
  Sequencer s;
  std::vector<Event> all;
  for (int64_t seq = 10; seq >= 1; --seq) {
    auto out = s.Offer(Msg("c1", seq));
    all.insert(all.end(), out.released.begin(), out.released.end());
  }
  EXPECT_EQ(Seqs(all), (Seq{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
}

TEST(Sequencer, ConversationsAreIndependent) {
  Sequencer s({{"c1", 1}, {"c2", 7}});
  EXPECT_EQ(s.Offer(Msg("c1", 3)).verdict, Verdict::kHeld);
  EXPECT_EQ(Seqs(s.Offer(Msg("c2", 8)).released), Seq{8});
  EXPECT_EQ(s.Cursor("c1"), 1);
  EXPECT_EQ(s.Cursor("c2"), 8);
}

TEST(Sequencer, AnUnknownConversationNotAtSeqOneWaitsForSync) {
  Sequencer s;
  auto out = s.Offer(Msg("c9", 7));
  EXPECT_EQ(out.verdict, Verdict::kHeld);
  EXPECT_TRUE(out.gap_opened);
  EXPECT_FALSE(s.Cursor("c9"));
  EXPECT_TRUE(s.Cursors().empty());  // not sent in sync: the server starts it from its beginning
}

TEST(Sequencer, RestartFromPersistedCursorsDropsWhatWasDelivered) {
  Sequencer before;
  for (int64_t seq = 1; seq <= 3; ++seq) before.Offer(Msg("c1", seq));
  Sequencer after(before.Cursors());
  EXPECT_EQ(after.Offer(Msg("c1", 3)).verdict, Verdict::kDuplicate);  // redelivered by the broker
  EXPECT_EQ(Seqs(after.Offer(Msg("c1", 4)).released), Seq{4});
}

TEST(Sequencer, NonSequencedEventsAreIgnored) {
  Sequencer s;
  Event typing;
  typing.type = "typing";
  typing.conv = "c1";
  EXPECT_EQ(s.Offer(typing).verdict, Verdict::kDuplicate);
  EXPECT_FALSE(s.Cursor("c1"));
}

TEST(SequencerSync, APageFillsTheGapAndReleasesTheHeldMessagesOnce) {
  Sequencer s({{"c1", 2}});
  s.Offer(Msg("c1", 5));
  auto out = s.ApplySyncPage({Msg("c1", 3), Msg("c1", 4), Msg("c1", 5), Msg("c1", 6)}, {{"c1", 6}});
  EXPECT_EQ(Seqs(out), (Seq{3, 4, 5, 6}));
  EXPECT_EQ(s.Cursor("c1"), 6);
  EXPECT_FALSE(s.HoldsAnything());
}

TEST(SequencerSync, APageRepeatingDeliveredMessagesReleasesOnlyNewOnes) {
  Sequencer s({{"c1", 4}});
  auto out = s.ApplySyncPage({Msg("c1", 3), Msg("c1", 4), Msg("c1", 5)}, {{"c1", 5}});
  EXPECT_EQ(Seqs(out), Seq{5});
}

TEST(SequencerSync, AnUnknownConversationStartsWhereTheServerSaysItsHistoryBegins) {
  Sequencer s;
  s.Offer(Msg("c9", 12));  // live, e.g. after being added to a group at seq 10
  auto out = s.ApplySyncPage({Msg("c9", 10), Msg("c9", 11), Msg("c9", 12)}, {{"c9", 12}});
  EXPECT_EQ(Seqs(out), (Seq{10, 11, 12}));
  EXPECT_EQ(s.Cursor("c9"), 12);
}

TEST(SequencerSync, AJumpInsideAPageIsInvisibleHistoryNotAGap) {
  Sequencer s({{"c1", 5}});  // removed at 5, re-added at 9: 6..8 are not visible
  auto out = s.ApplySyncPage({Msg("c1", 9), Msg("c1", 10)}, {{"c1", 10}});
  EXPECT_EQ(Seqs(out), (Seq{9, 10}));
  EXPECT_EQ(Seqs(s.Offer(Msg("c1", 11)).released), Seq{11});
}

TEST(SequencerSync, ServerCursorsMoveAConversationWithoutMessagesInThePage) {
  Sequencer s;
  auto out = s.ApplySyncPage({}, {{"c2", 0}, {"c3", 7}});
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(s.Cursor("c2"), 0);
  EXPECT_EQ(s.Cursor("c3"), 7);
  EXPECT_EQ(Seqs(s.Offer(Msg("c3", 8)).released), Seq{8});
}

TEST(SequencerSync, ServerCursorsNeverMoveACursorBack) {
  Sequencer s({{"c1", 9}});
  s.ApplySyncPage({}, {{"c1", 4}});
  EXPECT_EQ(s.Cursor("c1"), 9);
}

TEST(SequencerSync, HeldMessagesBelowTheServerCursorAreReleasedNotLost) {
  Sequencer s({{"c1", 1}});
  s.Offer(Msg("c1", 3));
  auto out = s.ApplySyncPage({}, {{"c1", 4}});
  EXPECT_EQ(Seqs(out), Seq{3});
  EXPECT_EQ(s.Cursor("c1"), 4);
}

TEST(SequencerSync, ACutPageLeavesTheRestForTheNextPage) {
  Sequencer s({{"c1", 0}});
  s.Offer(Msg("c1", 5));
  EXPECT_EQ(Seqs(s.ApplySyncPage({Msg("c1", 1), Msg("c1", 2)}, {{"c1", 2}})), (Seq{1, 2}));
  EXPECT_TRUE(s.HoldsAnything());
  EXPECT_EQ(Seqs(s.ApplySyncPage({Msg("c1", 3), Msg("c1", 4)}, {{"c1", 4}})), (Seq{3, 4, 5}));
  EXPECT_FALSE(s.HoldsAnything());
}

TEST(SequencerSync, MessagesOfSeveralConversationsAreEachInOrder) {
  Sequencer s;
  auto out = s.ApplySyncPage({Msg("a", 1), Msg("a", 2), Msg("b", 1)}, {{"a", 2}, {"b", 1}});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].body, "a#1");
  EXPECT_EQ(out[1].body, "a#2");
  EXPECT_EQ(out[2].body, "b#1");
}

TEST(Sequencer, WithoutSyncHeldStartsAreAdopted) {
  Sequencer s({{"c1", 1}});
  s.Offer(Msg("c9", 8));
  s.Offer(Msg("c9", 7));
  s.Offer(Msg("c1", 3));  // a real gap in a known conversation stays held
  auto out = s.AdoptHeldStarts();
  EXPECT_EQ(Seqs(out), (Seq{7, 8}));
  EXPECT_EQ(s.Cursor("c9"), 8);
  EXPECT_EQ(s.Cursor("c1"), 1);
  EXPECT_EQ(s.held_count(), 1u);
}

}  // namespace
}  // namespace chat::client
