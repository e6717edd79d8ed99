// A token bucket: the budget of one rate limit (docs/PROTOCOL.md, section 9).
#pragma once

#include <cstdint>

namespace chat::plugin {

// How fast a budget refills and how much of it may be spent at once.
struct BucketSpec {
  double per_s = 1;  // tokens added per second, > 0
  double burst = 1;  // the most tokens the bucket holds, >= 1
};

// Holds up to `burst` tokens, starts full and gains `per_s` tokens a second.
// Time is passed in (milliseconds of a monotonic clock) and never read here; a
// time earlier than the last one seen adds nothing. Pure; not thread-safe.
class TokenBucket {
 public:
  TokenBucket(const BucketSpec& spec, int64_t now_ms);

  // Adds the tokens earned since the last call.
  void Refill(const BucketSpec& spec, int64_t now_ms);
  // Milliseconds from the last refill until `cost` tokens are there: 0 when
  // they are there now. A cost above the burst needs only a full bucket.
  int64_t WaitMs(const BucketSpec& spec, double cost) const;
  // Removes `cost` tokens; call only when WaitMs(cost) is 0. A cost above the
  // burst leaves the bucket in debt, repaid at the refill rate.
  void Take(double cost) { tokens_ -= cost; }
  // Whether the bucket is full at `now_ms`, i.e. as if never used (then it
  // may be forgotten).
  bool IsFullAt(const BucketSpec& spec, int64_t now_ms) const;

 private:
  double tokens_;
  int64_t last_ms_;
};

}  // namespace chat::plugin
