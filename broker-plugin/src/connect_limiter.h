// Budgets for connection attempts (docs/PROTOCOL.md, section 9, "Rate
// limits"): failed attempts per source address, connects per user. Pure; no
// broker calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "string_map.h"
#include "token_bucket.h"

namespace chat::plugin {

struct ConnectLimits {
  // Failed authentications per source address. Many phones may share one
  // address behind a carrier's NAT, so the default is generous.
  BucketSpec address_failures{10, 100};
  // Successful authentications per user (all its devices): reconnect loops.
  BucketSpec user_connects{0.5, 20};
};

// Cheap refusals for connect storms, decided before the token is verified:
// an address whose failure budget is spent, or a user whose connect budget is
// spent, is refused without verifying anything. Only failures are charged to
// an address and only successes to a user, so devices that authenticate keep
// connecting from a busy address, and nobody without a valid token can spend
// a user's budget. Entries whose buckets have filled up again are forgotten by
// EvictIdle. Times are milliseconds of a monotonic clock. Called on the
// broker's thread only; not thread-safe.
class ConnectLimiter {
 public:
  explicit ConnectLimiter(ConnectLimits limits);

  // Before verification: 0 when the attempt may go on; otherwise the
  // milliseconds until the address or the user has budget again.
  int64_t Check(std::string_view address, std::string_view user, int64_t now_ms);
  // After verification: a failure costs the address a token.
  void Failed(std::string_view address, int64_t now_ms);
  // After verification: a success costs the user a token.
  void Succeeded(std::string_view user, int64_t now_ms);
  // Forgets idle addresses and users; scans at most once every kEvictEveryMs.
  void EvictIdle(int64_t now_ms);

  std::size_t tracked() const { return addresses_.size() + users_.size(); }

  static constexpr int64_t kEvictEveryMs = 5000;

 private:
  using Map = StringMap<TokenBucket>;

  // The milliseconds until `key`'s bucket in `map` holds a token; 0 for a
  // key not in the map.
  static int64_t WaitMs(Map& map, const BucketSpec& spec, std::string_view key, int64_t now_ms);
  static void Charge(Map& map, const BucketSpec& spec, std::string_view key, int64_t now_ms);
  static void Evict(Map& map, const BucketSpec& spec, int64_t now_ms);

  ConnectLimits limits_;
  Map addresses_;
  Map users_;
  int64_t next_evict_ms_ = 0;
};

}  // namespace chat::plugin
