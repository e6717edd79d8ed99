// Token buckets per address and per user for connection attempts.
#include "connect_limiter.h"

#include <algorithm>

namespace chat::plugin {

ConnectLimiter::ConnectLimiter(ConnectLimits limits) : limits_(limits) {}

int64_t ConnectLimiter::WaitMs(Map& map, const BucketSpec& spec, std::string_view key,
                               int64_t now_ms) {
  auto it = map.find(key);
  if (it == map.end()) return 0;
  it->second.Refill(spec, now_ms);
  return it->second.WaitMs(spec, 1);
}

void ConnectLimiter::Charge(Map& map, const BucketSpec& spec, std::string_view key,
                            int64_t now_ms) {
  auto it = map.find(key);
  if (it == map.end()) it = map.try_emplace(std::string(key), spec, now_ms).first;
  TokenBucket& bucket = it->second;
  bucket.Refill(spec, now_ms);
  if (bucket.WaitMs(spec, 1) == 0) bucket.Take(1);
}

int64_t ConnectLimiter::Check(std::string_view address, std::string_view user, int64_t now_ms) {
  return std::max(WaitMs(addresses_, limits_.address_failures, address, now_ms),
                  WaitMs(users_, limits_.user_connects, user, now_ms));
}

void ConnectLimiter::Failed(std::string_view address, int64_t now_ms) {
  Charge(addresses_, limits_.address_failures, address, now_ms);
}

void ConnectLimiter::Succeeded(std::string_view user, int64_t now_ms) {
  Charge(users_, limits_.user_connects, user, now_ms);
}

void ConnectLimiter::Evict(Map& map, const BucketSpec& spec, int64_t now_ms) {
  std::erase_if(map, [&](const auto& entry) { return entry.second.IsFullAt(spec, now_ms); });
}

void ConnectLimiter::EvictIdle(int64_t now_ms) {
  if (now_ms < next_evict_ms_) return;
  next_evict_ms_ = now_ms + kEvictEveryMs;
  Evict(addresses_, limits_.address_failures, now_ms);
  Evict(users_, limits_.user_connects, now_ms);
}

}  // namespace chat::plugin
