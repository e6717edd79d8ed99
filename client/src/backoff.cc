// Exponential backoff with full jitter.
#include "backoff.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

namespace chat::client {

Backoff::Backoff(BackoffPolicy policy, Uniform uniform)
    : policy_(policy), uniform_(std::move(uniform)) {
  policy_.initial = std::max(policy_.initial, std::chrono::milliseconds(1));
  policy_.max = std::max(policy_.max, policy_.initial);
  if (!uniform_) {
    auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
    uniform_ = [rng] { return std::uniform_real_distribution<double>(0.0, 1.0)(*rng); };
  }
}

std::chrono::milliseconds Backoff::Ceiling() const {
  // Doubling saturates at max; 62 doublings would overflow, so stop early.
  auto ceiling = policy_.initial;
  for (int i = 0; i < failures_ && ceiling < policy_.max; ++i) ceiling *= 2;
  return std::min(ceiling, policy_.max);
}

std::chrono::milliseconds Backoff::Next() {
  auto ceiling = Ceiling();
  double fraction = std::clamp(uniform_(), 0.0, 1.0);
  if (failures_ < 1000) ++failures_;  // the ceiling is long saturated by then
  return std::chrono::milliseconds(std::llround(fraction * static_cast<double>(ceiling.count())));
}

}  // namespace chat::client
