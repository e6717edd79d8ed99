// Encoding of committed batches for the broker plugin's fan-out.
#include "chatd/fanout_batch.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace chat {
namespace {

using json = nlohmann::json;

TEST(FanoutBatch, EncodesTopicsAndVerbatimPayloads) {
  FanoutBatch batch;
  batch.Add({"chat/inbox/bob/c1", "chat/inbox/carol/c1"}, R"({"type":"msg"})");
  batch.AddOne("chat/inbox/alice/c1", R"({"type":"accepted"})");
  auto payloads = batch.Encode();
  ASSERT_EQ(payloads.size(), 1u);
  json control = json::parse(payloads[0]);
  ASSERT_EQ(control["out"].size(), 2u);
  EXPECT_EQ(control["out"][0]["topics"], json({"chat/inbox/bob/c1", "chat/inbox/carol/c1"}));
  EXPECT_EQ(control["out"][0]["payload"], R"({"type":"msg"})");
  EXPECT_EQ(control["out"][1]["topics"], json({"chat/inbox/alice/c1"}));
}

TEST(FanoutBatch, LargeFanoutIsSplitIntoBoundedControlMessages) {
  FanoutBatch batch;
  std::vector<std::string> topics;
  for (int i = 0; i < 2500; ++i) topics.push_back("chat/inbox/u" + std::to_string(i) + "/c1");
  batch.Add(topics, "p");
  auto payloads = batch.Encode(1000);
  ASSERT_EQ(payloads.size(), 3u);
  std::size_t copies = 0;
  for (const auto& payload : payloads) {
    std::size_t here = 0;
    json control = json::parse(payload);
    for (const auto& item : control["out"]) here += item["topics"].size();
    EXPECT_LE(here, 1000u);
    copies += here;
  }
  EXPECT_EQ(copies, 2500u);
}

TEST(FanoutBatch, LargePayloadsAreSplitByBytes) {
  FanoutBatch batch;
  for (int i = 0; i < 5; ++i) batch.AddOne("chat/dev/u/d", std::string(400, 'x'));
  auto payloads = batch.Encode(1000, 1000);
  ASSERT_EQ(payloads.size(), 3u);  // 2 + 2 + 1 events of 400 bytes under a 1000-byte cap
  std::size_t events = 0;
  for (const auto& payload : payloads) events += json::parse(payload)["out"].size();
  EXPECT_EQ(events, 5u);
}

TEST(FanoutBatch, EmptyBatchEncodesNothing) {
  EXPECT_TRUE(FanoutBatch().Encode().empty());
  FanoutBatch batch;
  batch.Add(std::vector<std::string>{}, "p");
  EXPECT_TRUE(batch.Encode().empty());
}

}  // namespace
}  // namespace chat
