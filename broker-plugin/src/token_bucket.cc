// Token bucket arithmetic.
#include "token_bucket.h"

#include <algorithm>
#include <cmath>

namespace chat::plugin {

TokenBucket::TokenBucket(const BucketSpec& spec, int64_t now_ms)
    : tokens_(spec.burst), last_ms_(now_ms) {}

void TokenBucket::Refill(const BucketSpec& spec, int64_t now_ms) {
  if (now_ms <= last_ms_) return;
  tokens_ =
      std::min(spec.burst, tokens_ + static_cast<double>(now_ms - last_ms_) * spec.per_s / 1000);
  last_ms_ = now_ms;
}

bool TokenBucket::IsFullAt(const BucketSpec& spec, int64_t now_ms) const {
  double earned =
      now_ms > last_ms_ ? static_cast<double>(now_ms - last_ms_) * spec.per_s / 1000 : 0;
  return tokens_ + earned >= spec.burst;
}

int64_t TokenBucket::WaitMs(const BucketSpec& spec, double cost) const {
  // A hair of slack, so that a wait of WaitMs is always enough despite rounding.
  double missing = std::min(cost, spec.burst) - tokens_;
  if (missing <= 1e-9) return 0;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(missing * 1000 / spec.per_s)));
}

}  // namespace chat::plugin
