// Encoding of committed batches for the broker plugin's fan-out (version 2,
// chat/fanout_frames.h), checked through the parser the plugin uses.
#include "chatd/fanout_batch.h"

#include <gtest/gtest.h>

#include <random>

#include "chat/fanout_frames.h"

namespace chat {
namespace {

using namespace std::string_literals;
using Copies = std::vector<std::pair<std::string, std::string>>;

Copies CopiesOf(const std::string& control) {
  FanoutFrames frames = ParseFanoutFrames(control);
  EXPECT_TRUE(frames.ok) << frames.error;
  Copies copies;
  for (const FanoutCopy& copy : frames.copies) copies.emplace_back(copy.topic, copy.payload);
  return copies;
}

TEST(FanoutBatch, EncodesTopicsAndVerbatimPayloads) {
  FanoutBatch batch;
  batch.Add({"chat/inbox/bob/c1", "chat/inbox/carol/c1"}, R"({"type":"msg","body":"a\nb"})");
  batch.AddOne("chat/inbox/alice/c1", R"({"type":"accepted"})");
  auto payloads = batch.Encode();
  ASSERT_EQ(payloads.size(), 1u);
  EXPECT_EQ(payloads[0],
            "2 28\nchat/inbox/bob/c1\nchat/inbox/carol/c1\n{\"type\":\"msg\",\"body\":\"a\\nb\"}\n"
            "1 19\nchat/inbox/alice/c1\n{\"type\":\"accepted\"}\n");
  Copies expected = {{"chat/inbox/bob/c1", R"({"type":"msg","body":"a\nb"})"},
                     {"chat/inbox/carol/c1", R"({"type":"msg","body":"a\nb"})"},
                     {"chat/inbox/alice/c1", R"({"type":"accepted"})"}};
  EXPECT_EQ(CopiesOf(payloads[0]), expected);
}

TEST(FanoutBatch, PayloadBytesTravelUnchanged) {
  FanoutBatch batch;
  const std::string raw = "line one\nline two\n\0binary\xff\n"s;
  batch.AddOne("chat/dev/u/d", raw);
  batch.AddOne("chat/dev/u/d", "");
  auto copies = CopiesOf(batch.Encode()[0]);
  ASSERT_EQ(copies.size(), 2u);
  EXPECT_EQ(copies[0].second, raw);
  EXPECT_EQ(copies[1].second, "");
}

TEST(FanoutBatch, LargeFanoutIsSplitIntoBoundedControlMessages) {
  FanoutBatch batch;
  std::vector<std::string> topics;
  for (int i = 0; i < 2500; ++i) topics.push_back("chat/inbox/u" + std::to_string(i) + "/c1");
  batch.Add(topics, "p");
  auto payloads = batch.Encode(1000);
  ASSERT_EQ(payloads.size(), 3u);
  std::vector<std::string> seen;
  for (const auto& payload : payloads) {
    Copies copies = CopiesOf(payload);
    EXPECT_LE(copies.size(), 1000u);
    for (auto& [topic, body] : copies) seen.push_back(topic);
  }
  EXPECT_EQ(seen, topics);
}

TEST(FanoutBatch, LargePayloadsAreSplitByBytes) {
  FanoutBatch batch;
  for (int i = 0; i < 5; ++i) batch.AddOne("chat/dev/u/d", std::string(400, 'x'));
  auto payloads = batch.Encode(1000, 1000);
  ASSERT_EQ(payloads.size(), 3u);  // 2 + 2 + 1 events of 400 bytes under a 1000-byte cap
  std::size_t events = 0;
  for (const auto& payload : payloads) events += CopiesOf(payload).size();
  EXPECT_EQ(events, 5u);
}

TEST(FanoutBatch, NoControlPayloadIsLongerThanTheLimitEvenForALongTopicList) {
  FanoutBatch batch;
  std::vector<std::string> topics;
  for (int i = 0; i < 300; ++i) topics.push_back("chat/inbox/user" + std::to_string(i) + "/c1");
  batch.AddOne("chat/dev/u/d", std::string(600, 'a'));
  batch.Add(topics, std::string(700, 'b'));
  std::size_t oversize = 0;
  auto payloads = batch.Encode(1000, 4000, &oversize);
  EXPECT_EQ(oversize, 0u);
  std::vector<std::string> seen;
  for (const auto& payload : payloads) {
    EXPECT_LE(payload.size(), 4000u);
    for (auto& [topic, body] : CopiesOf(payload)) {
      if (topic != "chat/dev/u/d") seen.push_back(topic);
    }
  }
  EXPECT_EQ(seen, topics);  // every copy, in order
}

TEST(FanoutBatch, AnEventTooLargeForAnyPacketIsLeftOutAndCounted) {
  FanoutBatch batch;
  batch.AddOne("chat/dev/u/d", "small");
  batch.AddOne("chat/dev/u/d", std::string(5000, 'x'));
  batch.AddOne("chat/dev/u/d", "after");
  std::size_t oversize = 0;
  auto payloads = batch.Encode(1000, 1000, &oversize);
  EXPECT_EQ(oversize, 1u);
  ASSERT_EQ(payloads.size(), 1u);
  Copies copies = CopiesOf(payloads[0]);
  ASSERT_EQ(copies.size(), 2u);
  EXPECT_EQ(copies[1].second, "after");
}

TEST(FanoutBatch, AnEventThatFitsOnlyWithItsShortTopicsIsLeftOutWhole) {
  FanoutBatch batch;
  std::string payload(940, 'x');  // with "chat/dev/u/d" it fits 1000 bytes, with the long topic not
  batch.Add({"chat/dev/u/d", "chat/inbox/" + std::string(64, 'u') + "/c1"}, payload);
  batch.AddOne("chat/dev/u/d", "after");
  std::size_t oversize = 0;
  auto payloads = batch.Encode(1000, 1000, &oversize);
  EXPECT_EQ(oversize, 1u);
  ASSERT_EQ(payloads.size(), 1u);
  EXPECT_EQ(CopiesOf(payloads[0]).size(), 1u);
}

TEST(FanoutBatch, EmptyBatchEncodesNothing) {
  EXPECT_TRUE(FanoutBatch().Encode().empty());
  FanoutBatch batch;
  batch.Add(std::vector<std::string>{}, "p");
  EXPECT_TRUE(batch.Encode().empty());
}

TEST(FanoutFrames, EmptyPayloadIsAnEmptyBatch) {
  FanoutFrames frames = ParseFanoutFrames("");
  EXPECT_TRUE(frames.ok);
  EXPECT_TRUE(frames.copies.empty());
}

TEST(FanoutFrames, MalformedPayloadsAreRejectedWithTheItem) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"not frames", "item 0"},
      {"{\"out\":[]}", "item 0"},
      {"1 1\nchat/dev/u/d\nx", "item 0"},                // no newline after the payload
      {"1 2\nchat/dev/u/d\nx\n", "item 0"},              // payload shorter than announced
      {"1 1\nchat/dev/u/d\nxy\n", "item 0"},             // payload longer than announced
      {"0 1\nx\n", "item 0"},                            // no topics
      {"2 1\nchat/dev/u/d\n", "item 0"},                 // topic list cut short
      {"1 1\nchat/dev/u/d\nx\n1 1\n", "item 1"},         // second item cut short
      {"1 1\nchat/dev/u/d\nx\n-1 1\nt\nx\n", "item 1"},  // not a number
      {"1 x\nt\nx\n", "item 0"},
      {"1  1\nt\nx\n", "item 0"},
      {"1 1234567890\nt\nx\n", "item 0"},  // more digits than allowed
      {"100001 1\nt\nx\n", "item 0"},      // above kMaxFanoutTopicsPerItem
      {"01 1\nt\nx\n", "item 0"},          // leading zero
  };
  for (auto [payload, item] : cases) {
    FanoutFrames frames = ParseFanoutFrames(payload);
    EXPECT_FALSE(frames.ok) << payload;
    EXPECT_TRUE(frames.copies.empty()) << payload;
    EXPECT_TRUE(frames.error.starts_with(item)) << payload << " -> " << frames.error;
  }
}

// Mutated and cut-off payloads (run under ASan in CI): the parser never reads
// outside the payload, and what it accepts re-encodes to the same bytes.
TEST(FanoutFrames, ArbitraryBytesNeverEscapeThePayload) {
  FanoutBatch batch;
  batch.Add({"chat/inbox/bob/c1", "chat/inbox/carol/c1"}, R"({"type":"msg","body":"12 3\n"})");
  batch.AddOne("chat/dev/alice/phone", "");
  const std::string valid = batch.Encode()[0];
  std::mt19937 random(20261124);
  const char alphabet[] = {'0', '1', '2', '9', ' ', '\n', 'x', '\0'};
  for (int round = 0; round < 20000; ++round) {
    std::string payload = valid.substr(0, random() % (valid.size() + 1));
    for (int edits = random() % 4; edits > 0 && !payload.empty(); --edits) {
      payload[random() % payload.size()] = alphabet[random() % sizeof(alphabet)];
    }
    FanoutFrames frames = ParseFanoutFrames(payload);
    if (!frames.ok) continue;
    std::string again;
    const char* begin = payload.data();
    for (std::size_t i = 0; i < frames.copies.size();) {
      const FanoutCopy& first = frames.copies[i];
      std::vector<std::string> topics;
      for (; i < frames.copies.size() && frames.copies[i].item == first.item; ++i) {
        const FanoutCopy& copy = frames.copies[i];
        ASSERT_GE(copy.topic.data(), begin);
        ASSERT_LE(copy.topic.data() + copy.topic.size(), begin + payload.size());
        ASSERT_GE(copy.payload.data(), begin);
        ASSERT_LE(copy.payload.data() + copy.payload.size(), begin + payload.size());
        topics.emplace_back(copy.topic);
      }
      AppendFanoutItem(again, topics, first.payload);
    }
    EXPECT_EQ(again, payload);
  }
}

TEST(FanoutBatch, TakePacedTakesLargeConversationsCopiesAndTypingAndKeepsTheRestInOrder) {
  FanoutBatch batch;
  batch.AddMessageCopies({"chat/inbox/b/c1", "chat/inbox/c/c1"}, "small", "c1", 7);
  batch.AddOne("chat/dev/a/phone", "accepted");
  batch.AddMessageCopies({"chat/inbox/b/g1", "chat/inbox/c/g1", "chat/inbox/d/g1"}, "large", "g1",
                         9);
  batch.AddTyping({"chat/inbox/b/c1"}, "typing");
  std::vector<PacedItem> paced = batch.TakePaced(3);
  ASSERT_EQ(paced.size(), 2u);
  EXPECT_EQ(paced[0].kind, PacedItem::Kind::kMessageCopies);
  EXPECT_EQ(paced[0].payload, "large");
  EXPECT_EQ(paced[0].conv, "g1");
  EXPECT_EQ(paced[0].seq, 9);
  EXPECT_EQ(paced[0].topics.size(), 3u);
  EXPECT_EQ(paced[1].kind, PacedItem::Kind::kTyping);
  Copies left = CopiesOf(batch.Encode()[0]);
  Copies expected = {
      {"chat/inbox/b/c1", "small"}, {"chat/inbox/c/c1", "small"}, {"chat/dev/a/phone", "accepted"}};
  EXPECT_EQ(left, expected);
}

TEST(FanoutBatch, WithoutAPacedLaneEverythingLeavesTogether) {
  FanoutBatch batch;
  batch.AddMessageCopies({"chat/inbox/b/g1", "chat/inbox/c/g1"}, "large", "g1", 9);
  batch.AddTyping({"chat/inbox/b/g1"}, "typing");
  EXPECT_TRUE(batch.TakePaced(0).empty());
  EXPECT_EQ(CopiesOf(batch.Encode()[0]).size(), 3u);
}

}  // namespace
}  // namespace chat
