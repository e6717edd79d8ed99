// The paced lane: slices of bounded size, in order; under pressure typing is
// dropped and large conversations' copies become one `head` per topic.
#include "chatd/paced_lane.h"

#include <gtest/gtest.h>

#include "fanout_events.h"

namespace chat {
namespace {

using namespace std::chrono_literals;

PacedItem PacedCopies(const std::string& conv, int64_t seq, std::vector<std::string> users) {
  std::vector<std::string> topics;
  for (const auto& user : users) topics.push_back("chat/inbox/" + user + "/" + conv);
  return {PacedItem::Kind::kMessageCopies, std::move(topics), "m" + std::to_string(seq), conv, seq};
}

PacedItem PacedTyping(const std::string& conv, std::vector<std::string> users) {
  PacedItem item = PacedCopies(conv, 0, std::move(users));
  item.kind = PacedItem::Kind::kTyping;
  item.payload = "typing";
  return item;
}

// Every payload the lane hands out until it has none, decoded.
FanoutEvents DrainAll(PacedLane& lane, std::size_t* slices = nullptr) {
  std::vector<std::string> payloads;
  while (auto slice = lane.NextSlice(0ms)) payloads.push_back(*slice);
  if (slices) *slices = payloads.size();
  FanoutEvents events;
  for (const auto& payload : payloads) {
    FanoutFrames frames = ParseFanoutFrames(payload);
    EXPECT_TRUE(frames.ok) << frames.error;
    for (const FanoutCopy& copy : frames.copies) {
      std::string body(copy.payload);
      events.emplace_back(std::string(copy.topic), body.starts_with("{")
                                                       ? nlohmann::json::parse(body)
                                                       : nlohmann::json(body));
    }
  }
  return events;
}

TEST(PacedLane, HandsOutCopiesInOrderInSlicesOfAtMostSliceCopies) {
  PacedLane lane({/*slice_copies=*/2, /*max_queued_copies=*/100});
  lane.Offer({PacedCopies("g", 1, {"a", "b", "c"}), PacedCopies("g", 2, {"a", "b", "c"})});
  EXPECT_EQ(lane.queued_copies(), 6u);
  std::size_t slices = 0;
  FanoutEvents events = DrainAll(lane, &slices);
  EXPECT_EQ(slices, 3u);
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[0], (std::pair<std::string, nlohmann::json>{"chat/inbox/a/g", "m1"}));
  EXPECT_EQ(events[2], (std::pair<std::string, nlohmann::json>{"chat/inbox/c/g", "m1"}));
  EXPECT_EQ(events[5], (std::pair<std::string, nlohmann::json>{"chat/inbox/c/g", "m2"}));
  EXPECT_EQ(lane.queued_copies(), 0u);
}

TEST(PacedLane, OverTheQueueLimitCopiesBecomeOneHeadPerTopicWithTheHighestSeq) {
  PacedLane lane({/*slice_copies=*/100, /*max_queued_copies=*/4});
  lane.Offer({PacedCopies("g", 1, {"a", "b"}), PacedCopies("g", 2, {"a", "b"}),
              PacedCopies("g", 3, {"a", "b"}),  // over: shed from here
              PacedTyping("g", {"a", "b"}), PacedCopies("g", 4, {"a", "b"})});
  EXPECT_TRUE(lane.shedding());
  FanoutEvents events = DrainAll(lane);
  ASSERT_EQ(events.size(), 6u);  // seq 1 and 2 to a and b, then a head each
  EXPECT_EQ(events[3].second, "m2");
  EXPECT_EQ(events[4].first, "chat/inbox/a/g");
  EXPECT_EQ(events[4].second, (nlohmann::json{{"type", "head"}, {"conv", "g"}, {"seq", 4}}));
  EXPECT_EQ(events[5].first, "chat/inbox/b/g");
  EXPECT_EQ(events[5].second["seq"], 4);
  PacedLaneStats stats = lane.stats();
  EXPECT_EQ(stats.copies_queued, 4u);
  EXPECT_EQ(stats.copies_shed, 4u);
  EXPECT_EQ(stats.typing_dropped, 2u);
  EXPECT_EQ(stats.heads_sent, 2u);
  EXPECT_FALSE(lane.shedding());
}

TEST(PacedLane, SheddingLastsUntilHalfTheQueueIsOutThenHeadsGoFirst) {
  PacedLane lane({/*slice_copies=*/2, /*max_queued_copies=*/4});
  lane.Offer({PacedCopies("g", 1, {"a", "b"}), PacedCopies("g", 2, {"a", "b"}),
              PacedCopies("g", 3, {"a", "b"})});
  ASSERT_TRUE(lane.shedding());
  ASSERT_TRUE(lane.NextSlice(0ms));  // 2 of 4 out: half, the shedding ends
  EXPECT_FALSE(lane.shedding());
  lane.Offer({PacedCopies("g", 4, {"a", "b"})});  // queued again
  FanoutEvents events = DrainAll(lane);
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[0].second["type"], "head");  // before the queued copies
  EXPECT_EQ(events[0].second["seq"], 3);
  EXPECT_EQ(events[2].second, "m2");
  EXPECT_EQ(events[5].second, "m4");
}

TEST(PacedLane, TheHeadsOwedAreBounded) {
  PacedLane lane({/*slice_copies=*/100, /*max_queued_copies=*/1, /*max_pending_heads=*/2});
  lane.Offer({PacedCopies("g", 1, {"a", "b", "c"})});
  EXPECT_EQ(lane.stats().heads_lost, 1u);
  EXPECT_EQ(DrainAll(lane).size(), 2u);
}

TEST(PacedLane, NextSliceWaitsForWorkAndInterruptWakesIt) {
  PacedLane lane;
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(lane.NextSlice(20ms));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
  lane.Interrupt();
  EXPECT_FALSE(lane.NextSlice(10s));  // returns at once
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

std::size_t CopiesIn(const std::optional<std::string>& slice) {
  if (!slice) return 0;
  FanoutFrames frames = ParseFanoutFrames(*slice);
  EXPECT_TRUE(frames.ok) << frames.error;
  return frames.copies.size();
}

TEST(PacedLane, SlicesGrowWhileTheQueueNeverEmptiesAndShrinkOnceItStaysEmpty) {
  auto now = std::make_shared<std::chrono::steady_clock::time_point>();
  PacedLaneOptions options;
  options.slice_copies = 2;
  options.max_slice_copies = 8;
  options.grow_after = 100ms;
  options.shrink_after = 1s;
  options.now = [now] { return *now; };
  PacedLane lane(options);
  std::vector<std::string> users;
  for (int i = 0; i < 60; ++i) users.push_back("u" + std::to_string(i));
  lane.Offer({PacedCopies("g", 1, users)});

  EXPECT_EQ(CopiesIn(lane.NextSlice(0ms)), 2u);
  EXPECT_EQ(CopiesIn(lane.NextSlice(0ms)), 2u);  // not behind for long yet
  *now += 100ms;
  EXPECT_EQ(CopiesIn(lane.NextSlice(0ms)), 4u);
  *now += 100ms;
  EXPECT_EQ(CopiesIn(lane.NextSlice(0ms)), 8u);
  *now += 100ms;
  EXPECT_EQ(CopiesIn(lane.NextSlice(0ms)), 8u);  // the most it grows to
  EXPECT_EQ(lane.stats().largest_slice, 8u);

  DrainAll(lane);
  *now += 500ms;
  lane.NextSlice(0ms);
  EXPECT_EQ(lane.slice_copies(), 8u);  // empty, but not for shrink_after since the last change
  *now += 500ms;
  lane.NextSlice(0ms);
  EXPECT_EQ(lane.slice_copies(), 4u);
  *now += 1s;
  lane.NextSlice(0ms);
  *now += 1s;
  lane.NextSlice(0ms);
  EXPECT_EQ(lane.slice_copies(), 2u);  // never below slice_copies

  // A queue that empties between messages keeps the smallest slices.
  for (int64_t seq = 2; seq < 12; ++seq) {
    lane.Offer({PacedCopies("g", seq, {"a", "b", "c"})});
    *now += 60ms;
    DrainAll(lane);
  }
  EXPECT_EQ(lane.slice_copies(), 2u);

  // An idle lane is not a busy one: a burst after a pause starts small.
  *now += 500ms;
  lane.Offer({PacedCopies("g", 12, users)});
  EXPECT_EQ(CopiesIn(lane.NextSlice(0ms)), 2u);
}

TEST(PacedLane, SlicesReturnToTheSmallestWhileTheLaneSheds) {
  auto now = std::make_shared<std::chrono::steady_clock::time_point>();
  PacedLaneOptions options;
  options.slice_copies = 2;
  options.max_queued_copies = 40;
  options.max_slice_copies = 8;
  options.now = [now] { return *now; };
  PacedLane lane(options);
  std::vector<std::string> users;
  for (int i = 0; i < 30; ++i) users.push_back("u" + std::to_string(i));
  lane.Offer({PacedCopies("g", 1, users)});
  lane.NextSlice(0ms);
  *now += 100ms;
  lane.NextSlice(0ms);
  EXPECT_EQ(lane.slice_copies(), 4u);
  lane.Offer({PacedCopies("g", 2, users)});  // over the limit: shedding
  ASSERT_TRUE(lane.shedding());
  EXPECT_EQ(CopiesIn(lane.NextSlice(0ms)), 2u);
  EXPECT_EQ(lane.slice_copies(), 2u);
}

}  // namespace
}  // namespace chat
