// The plugin's flat per-connection map: find, insert, take, growth and
// shrinking, checked against std::unordered_map.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <unordered_map>

#include "connection_map.h"

namespace chat::plugin {
namespace {

TEST(ConnectionMap, InsertedValuesAreFoundAndTakenOnce) {
  ConnectionMap<std::string> map;
  map.Insert(0x1000, "bob");
  map.Insert(0x2000, "carol");
  ASSERT_NE(map.Find(0x1000), nullptr);
  EXPECT_EQ(*map.Find(0x1000), "bob");
  EXPECT_EQ(map.size(), 2u);
  EXPECT_EQ(map.Take(0x1000), "bob");
  EXPECT_EQ(map.Take(0x1000), std::nullopt);
  EXPECT_EQ(map.Find(0x1000), nullptr);
  EXPECT_EQ(*map.Find(0x2000), "carol");
  EXPECT_EQ(map.size(), 1u);
}

TEST(ConnectionMap, InsertingAKnownIdReplacesItsValue) {
  ConnectionMap<std::string> map;
  map.Insert(0x1000, "bob");
  map.Insert(0x1000, "carol");
  EXPECT_EQ(map.size(), 1u);
  EXPECT_EQ(*map.Find(0x1000), "carol");
}

TEST(ConnectionMap, IdZeroIsNeverStored) {
  ConnectionMap<std::string> map;
  map.Insert(0, "nobody");
  EXPECT_EQ(map.size(), 0u);
  EXPECT_EQ(map.Find(0), nullptr);
  EXPECT_EQ(map.Take(0), std::nullopt);
}

TEST(ConnectionMap, EmptyMapFindsNothing) {
  const ConnectionMap<int> map;
  EXPECT_EQ(map.Find(0x1000), nullptr);
  EXPECT_EQ(map.size(), 0u);
}

// Addresses of client contexts: aligned, close together, so many share a
// probe run; removals in the middle of runs must keep the rest reachable.
TEST(ConnectionMap, RandomInsertsAndTakesAgreeWithUnorderedMap) {
  ConnectionMap<int> map;
  std::unordered_map<ConnectionId, int> reference;
  std::mt19937_64 random(42);
  for (int step = 0; step < 200000; ++step) {
    ConnectionId id = 0x7f0000000000 + 16 * (random() % 4096);
    if (random() % 3 == 0) {
      auto expected = reference.find(id);
      std::optional<int> taken = map.Take(id);
      ASSERT_EQ(taken.has_value(), expected != reference.end()) << step;
      if (taken) {
        EXPECT_EQ(*taken, expected->second);
        reference.erase(expected);
      }
    } else {
      map.Insert(id, step);
      reference[id] = step;
    }
    ASSERT_EQ(map.size(), reference.size()) << step;
  }
  for (const auto& [id, value] : reference) {
    ASSERT_NE(map.Find(id), nullptr);
    EXPECT_EQ(*map.Find(id), value);
  }
}

TEST(ConnectionMap, GrowsAndShrinksWithTheConnections) {
  ConnectionMap<int> map;
  for (ConnectionId id = 1; id <= 100000; ++id) map.Insert(id * 64, static_cast<int>(id));
  EXPECT_EQ(map.size(), 100000u);
  for (ConnectionId id = 1; id <= 99990; ++id) ASSERT_EQ(map.Take(id * 64), static_cast<int>(id));
  EXPECT_EQ(map.size(), 10u);
  for (ConnectionId id = 99991; id <= 100000; ++id) {
    ASSERT_NE(map.Find(id * 64), nullptr);
    EXPECT_EQ(*map.Find(id * 64), static_cast<int>(id));
  }
}

}  // namespace
}  // namespace chat::plugin
