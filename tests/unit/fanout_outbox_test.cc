// The fan-out outbox: what waited while the broker was busy leaves as one
// payload, in order, within the size bound, and still parses as every copy.
#include "chatd/fanout_outbox.h"

#include <gtest/gtest.h>

#include <thread>

#include "chat/fanout_frames.h"

namespace chat {
namespace {

using namespace std::chrono_literals;

std::string OutboxItem(const std::string& topic, const std::string& event) {
  std::string out;
  std::vector<std::string> topics{topic};
  AppendFanoutItem(out, topics, event);
  return out;
}

TEST(FanoutOutbox, AnIdleOutboxHandsOutEachPayloadAsPushed) {
  FanoutOutbox outbox(1 << 16);
  std::string one = OutboxItem("chat/inbox/bob/c1", R"({"type":"msg","seq":1})");
  outbox.Push(one);
  EXPECT_EQ(outbox.Next(0ms), one);
  EXPECT_TRUE(outbox.empty());
  EXPECT_EQ(outbox.Next(0ms), std::nullopt);
}

TEST(FanoutOutbox, PayloadsThatWaitedLeaveMergedInOrderAndParseAsEveryCopy) {
  FanoutOutbox outbox(1 << 16);
  for (int seq = 1; seq <= 5; ++seq) {
    outbox.Push(OutboxItem("chat/inbox/bob/c1", "{\"seq\":" + std::to_string(seq) + "}"));
  }
  std::optional<std::string> merged = outbox.Next(0ms);
  ASSERT_TRUE(merged);
  EXPECT_TRUE(outbox.empty());
  FanoutFrames frames = ParseFanoutFrames(*merged);
  ASSERT_TRUE(frames.ok) << frames.error;
  ASSERT_EQ(frames.copies.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(frames.copies[i].topic, "chat/inbox/bob/c1");
    EXPECT_EQ(frames.copies[i].payload, "{\"seq\":" + std::to_string(i + 1) + "}");
  }
  FanoutOutboxStats stats = outbox.stats();
  EXPECT_EQ(stats.payloads, 5u);
  EXPECT_EQ(stats.publishes, 1u);
  EXPECT_EQ(stats.largest_merge, 5u);
}

TEST(FanoutOutbox, AMergeStopsAtTheBoundAndALargerPayloadLeavesAlone) {
  std::string small = OutboxItem("t/a", std::string(40, 'a'));
  std::string large = OutboxItem("t/b", std::string(400, 'b'));
  FanoutOutbox outbox(2 * small.size() + 1);
  outbox.Push(small);
  outbox.Push(small);
  outbox.Push(small);
  outbox.Push(large);
  EXPECT_EQ(outbox.Next(0ms), small + small);
  EXPECT_EQ(outbox.Next(0ms), small);  // the large one does not fit beside it
  EXPECT_EQ(outbox.Next(0ms), large);  // over the bound on its own: still handed out
  EXPECT_TRUE(outbox.empty());
}

TEST(FanoutOutbox, NextWaitsForAPushAndAnInterruptEndsTheWait) {
  FanoutOutbox outbox(1 << 16);
  std::thread pusher([&] {
    std::this_thread::sleep_for(20ms);
    outbox.Push("late");
  });
  EXPECT_EQ(outbox.Next(5s), "late");
  pusher.join();

  std::thread interrupter([&] {
    std::this_thread::sleep_for(20ms);
    outbox.Interrupt();
  });
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(outbox.Next(10s), std::nullopt);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  interrupter.join();
}

TEST(FanoutOutbox, BeyondTheWaitingBoundTheOldestAreDroppedAndCounted) {
  FanoutOutbox outbox(1000, /*max_waiting_bytes=*/10);
  EXPECT_FALSE(outbox.Push("aaaa"));
  EXPECT_FALSE(outbox.Push("bbbb"));
  EXPECT_TRUE(outbox.Push("cccc"));  // 12 bytes would wait: "aaaa" goes
  EXPECT_EQ(outbox.Next(0ms), "bbbbcccc");
  EXPECT_FALSE(outbox.Push("dddddddddddd"));  // larger than the bound, alone: kept
  EXPECT_TRUE(outbox.Push("e"));
  EXPECT_EQ(outbox.Next(0ms), "e");
  EXPECT_EQ(outbox.stats().dropped, 2u);
}

}  // namespace
}  // namespace chat
