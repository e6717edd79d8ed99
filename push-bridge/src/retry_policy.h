// When a push that may succeed later (429, 5xx, a lost connection) is tried
// again: exponential backoff with jitter, never sooner than the provider's
// Retry-After, and never after the job's maximum age.
#pragma once

#include <cstdint>
#include <optional>
#include <random>

namespace chat::push {

struct RetryOptions {
  int64_t base_ms = 1000;               // the first retry's delay, before jitter
  int64_t max_ms = 300000;              // no delay longer (Retry-After aside)
  int64_t give_up_after_ms = 86400000;  // a job older than this is dropped
};

// The delay before attempt number `attempts` + 1 (`attempts` >= 1 made so
// far): base * 2^(attempts-1), capped at max, taken uniformly from its upper
// half (so a burst of failures does not come back in step), and at least
// `retry_after_s` (clamped to 1 s .. 1 h) when the provider named one.
int64_t RetryDelayMs(int64_t attempts, std::optional<int64_t> retry_after_s,
                     const RetryOptions& options, std::mt19937_64& random);

}  // namespace chat::push
