// Token buckets per device and per user for device commands.
#include "publish_limiter.h"

#include <algorithm>
#include <limits>

#include "chat/protocol.h"

namespace chat::plugin {

PublishLimiter::DeviceState::DeviceState(const PublishLimits& limits, int64_t now_ms)
    : messages(limits.device_messages, now_ms),
      bytes(limits.device_bytes, now_ms),
      typing(limits.device_typing, now_ms),
      last_told_ms(std::numeric_limits<int64_t>::min() / 2) {}

PublishLimiter::UserState::UserState(const PublishLimits& limits, int64_t now_ms)
    : messages(limits.user_messages, now_ms), bytes(limits.user_bytes, now_ms) {}

PublishLimiter::PublishLimiter(PublishLimits limits) : limits_(limits) {}

template <typename State>
State& PublishLimiter::Find(Map<State>& map, std::string_view key, int64_t now_ms) {
  auto it = map.find(key);
  if (it == map.end()) it = map.try_emplace(std::string(key), limits_, now_ms).first;
  return it->second;
}

PublishVerdict PublishLimiter::Admit(std::string_view user, std::string_view device,
                                     std::size_t payload_bytes, bool typing, int64_t now_ms) {
  key_.assign(user).append(":").append(device);
  DeviceState& d = Find(devices_, key_, now_ms);
  UserState& u = Find(users_, user, now_ms);
  const double bytes = static_cast<double>(payload_bytes);
  struct Charge {
    TokenBucket& bucket;
    const BucketSpec& spec;
    double cost;
  };
  Charge charges[] = {
      {d.messages, limits_.device_messages, 1},
      {d.bytes, limits_.device_bytes, bytes},
      {u.messages, limits_.user_messages, 1},
      {u.bytes, limits_.user_bytes, bytes},
      {d.typing, limits_.device_typing, typing ? 1.0 : 0.0},
  };
  PublishVerdict verdict;
  for (Charge& c : charges) {
    c.bucket.Refill(c.spec, now_ms);
    verdict.retry_after_ms = std::max(verdict.retry_after_ms, c.bucket.WaitMs(c.spec, c.cost));
  }
  if (verdict.retry_after_ms > 0) {
    Refuse(d, now_ms, verdict);
    return verdict;
  }
  for (Charge& c : charges) c.bucket.Take(c.cost);
  d.refusals = 0;
  return verdict;
}

void PublishLimiter::Refuse(DeviceState& device, int64_t now_ms, PublishVerdict& verdict) const {
  verdict.allowed = false;
  if (device.refusals++ == 0) device.first_refused_ms = now_ms;
  verdict.refusals = device.refusals;
  verdict.flooding_ms = now_ms - device.first_refused_ms;
  if (now_ms - device.last_told_ms >= limits_.error_interval_ms) {
    verdict.tell = true;
    device.last_told_ms = now_ms;
  }
  if (verdict.refusals >= limits_.flood_disconnect_refusals ||
      verdict.flooding_ms >= limits_.flood_disconnect_ms) {
    verdict.disconnect = true;
    device.refusals = 0;
  }
}

bool PublishLimiter::IsIdle(const DeviceState& device, int64_t now_ms) const {
  return device.refusals == 0 && device.messages.IsFullAt(limits_.device_messages, now_ms) &&
         device.bytes.IsFullAt(limits_.device_bytes, now_ms) &&
         device.typing.IsFullAt(limits_.device_typing, now_ms);
}

bool PublishLimiter::IsIdle(const UserState& user, int64_t now_ms) const {
  return user.messages.IsFullAt(limits_.user_messages, now_ms) &&
         user.bytes.IsFullAt(limits_.user_bytes, now_ms);
}

void PublishLimiter::EvictIdle(int64_t now_ms) {
  if (now_ms < next_evict_ms_) return;
  next_evict_ms_ = now_ms + kEvictEveryMs;
  std::erase_if(devices_, [&](const auto& entry) { return IsIdle(entry.second, now_ms); });
  std::erase_if(users_, [&](const auto& entry) { return IsIdle(entry.second, now_ms); });
}

bool IsTypingCommand(std::string_view payload) {
  constexpr std::string_view kKey = "\"type\"";
  constexpr std::string_view kValue = "\"typing\"";
  auto skip_spaces = [&](std::size_t at) {
    while (at < payload.size() && (payload[at] == ' ' || payload[at] == '\t' ||
                                   payload[at] == '\n' || payload[at] == '\r'))
      ++at;
    return at;
  };
  for (std::size_t at = payload.find(kKey); at != std::string_view::npos;
       at = payload.find(kKey, at + 1)) {
    std::size_t colon = skip_spaces(at + kKey.size());
    if (colon >= payload.size() || payload[colon] != ':') continue;
    if (payload.substr(skip_spaces(colon + 1)).starts_with(kValue)) return true;
  }
  return false;
}

std::string RateLimitedError(int64_t retry_after_ms) {
  return protocol::EncodeError({.code = protocol::ErrorCode::kRateLimited,
                                .message = "over the rate limit: the command was dropped; resend "
                                           "after retry_after_ms",
                                .req_id = {},
                                .cmid = {},
                                .limit = std::nullopt},
                               retry_after_ms);
}

}  // namespace chat::plugin
