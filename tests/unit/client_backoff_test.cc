// Specification of reconnect delays: exponential ceilings, full jitter, a cap.
#include <gtest/gtest.h>

#include "backoff.h"

namespace chat::client {
namespace {

using std::chrono::milliseconds;

BackoffPolicy Policy() { return {milliseconds(500), milliseconds(30000)}; }

TEST(Backoff, CeilingsDoubleFromTheInitialDelayUpToTheCap) {
  Backoff b(Policy(), [] { return 0.5; });
  std::vector<int64_t> ceilings;
  for (int i = 0; i < 9; ++i) {
    ceilings.push_back(b.Ceiling().count());
    b.Next();
  }
  EXPECT_EQ(ceilings,
            (std::vector<int64_t>{500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000}));
}

TEST(Backoff, DelayIsTheRandomFractionOfTheCeiling) {
  double fraction = 0.25;
  Backoff b(Policy(), [&] { return fraction; });
  EXPECT_EQ(b.Next(), milliseconds(125));
  fraction = 0.0;
  EXPECT_EQ(b.Next(), milliseconds(0));
  fraction = 0.999999;
  EXPECT_EQ(b.Next(), milliseconds(2000));
}

TEST(Backoff, RealJitterStaysWithinZeroAndTheCeiling) {
  Backoff b(Policy());
  for (int i = 0; i < 200; ++i) {
    auto ceiling = b.Ceiling();
    auto delay = b.Next();
    EXPECT_GE(delay.count(), 0);
    EXPECT_LE(delay, ceiling);
    EXPECT_LE(delay, milliseconds(30000));
  }
}

TEST(Backoff, RealJitterSpreadsClientsApart) {
  Backoff a(Policy()), b(Policy());
  int equal = 0;
  for (int i = 0; i < 20; ++i) equal += a.Next() == b.Next();
  EXPECT_LT(equal, 5);
}

TEST(Backoff, ResetStartsAgainFromTheInitialCeiling) {
  Backoff b(Policy(), [] { return 1.0; });
  for (int i = 0; i < 5; ++i) b.Next();
  EXPECT_EQ(b.failures(), 5);
  b.Reset();
  EXPECT_EQ(b.Ceiling(), milliseconds(500));
  EXPECT_EQ(b.Next(), milliseconds(500));
}

TEST(Backoff, OutOfRangeRandomValuesAreClamped) {
  Backoff b(Policy(), [] { return 7.0; });
  EXPECT_EQ(b.Next(), milliseconds(500));
  Backoff negative(Policy(), [] { return -1.0; });
  EXPECT_EQ(negative.Next(), milliseconds(0));
}

TEST(Backoff, ManyFailuresNeitherOverflowNorExceedTheCap) {
  Backoff b(Policy(), [] { return 1.0; });
  for (int i = 0; i < 5000; ++i) b.Next();
  EXPECT_EQ(b.Next(), milliseconds(30000));
}

}  // namespace
}  // namespace chat::client
