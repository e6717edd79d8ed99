// Backoff with jitter for pushes to try again.
#include "retry_policy.h"

#include <algorithm>

namespace chat::push {

int64_t RetryDelayMs(int64_t attempts, std::optional<int64_t> retry_after_s,
                     const RetryOptions& options, std::mt19937_64& random) {
  int64_t delay = options.base_ms;
  for (int64_t i = 1; i < attempts && delay < options.max_ms; ++i) delay *= 2;
  delay = std::min(delay, options.max_ms);
  std::uniform_int_distribution<int64_t> upper_half(delay / 2, delay);
  delay = upper_half(random);
  if (retry_after_s) {
    delay = std::max(delay, std::clamp<int64_t>(*retry_after_s, 1, 3600) * 1000);
  }
  return delay;
}

}  // namespace chat::push
