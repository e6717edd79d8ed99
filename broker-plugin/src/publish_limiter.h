// Per-device and per-user budgets for the commands devices publish
// (docs/PROTOCOL.md, section 9, "Rate limits"). Pure; no broker calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "string_map.h"
#include "token_bucket.h"

namespace chat::plugin {

// The budgets and the flood rules, as plugin_opt_* sets them. The defaults
// leave a person's use alone: typing, sending, a burst of a few dozen sends,
// the outbox's resends (100 at most in flight) and `sync` after a reconnect.
struct PublishLimits {
  BucketSpec device_messages{20, 200};                       // commands of one device
  BucketSpec device_bytes{512.0 * 1024, 4.0 * 1024 * 1024};  // their payload bytes
  BucketSpec device_typing{2, 20};                           // its `typing` commands
  BucketSpec user_messages{40, 400};                         // commands of all a user's devices
  BucketSpec user_bytes{1024.0 * 1024, 8.0 * 1024 * 1024};   // their payload bytes
  int64_t error_interval_ms = 1000;          // at most one `rate_limited` per device per interval
  int64_t flood_disconnect_ms = 10000;       // refused in a row this long: disconnect
  int64_t flood_disconnect_refusals = 1000;  // or this many refused in a row: disconnect
};

// What to do with one publish.
struct PublishVerdict {
  bool allowed = true;
  // The rest is for a refused publish only.
  int64_t retry_after_ms = 0;  // until every budget it needs has room again
  bool tell = false;           // send the device `rate_limited` now (rate-limited itself)
  bool disconnect = false;     // the device keeps flooding: disconnect it
  int64_t refusals = 0;        // publishes of the device refused in a row, this one included
  int64_t flooding_ms = 0;     // since the first of them
};

// Keeps a TokenBucket per budget and device and per budget and user; a
// command costs one message token in each, its payload size in byte tokens,
// and a `typing` also one typing token. A command is admitted only when every
// budget it needs has room, and then charged to all; a refused one costs
// nothing. A device that goes on publishing while refused is a flooder: once
// its run of refusals reaches flood_disconnect_refusals or lasts
// flood_disconnect_ms, the verdict says disconnect (once; the run starts
// again). Entries live while in use: EvictIdle forgets those whose buckets
// have filled up again. Times are milliseconds of a monotonic clock. Called on
// the broker's thread only; not thread-safe.
class PublishLimiter {
 public:
  explicit PublishLimiter(PublishLimits limits);

  // Decides and accounts one command of `user`'s `device`.
  PublishVerdict Admit(std::string_view user, std::string_view device, std::size_t payload_bytes,
                       bool typing, int64_t now_ms);
  // Forgets idle devices and users; scans at most once every kEvictEveryMs,
  // so it may be called on every broker tick.
  void EvictIdle(int64_t now_ms);

  std::size_t tracked_devices() const { return devices_.size(); }
  std::size_t tracked_users() const { return users_.size(); }
  const PublishLimits& limits() const { return limits_; }

  static constexpr int64_t kEvictEveryMs = 5000;

 private:
  struct DeviceState {
    DeviceState(const PublishLimits& limits, int64_t now_ms);
    TokenBucket messages, bytes, typing;
    int64_t refusals = 0;  // in a row
    int64_t first_refused_ms = 0;
    int64_t last_told_ms;
  };
  struct UserState {
    UserState(const PublishLimits& limits, int64_t now_ms);
    TokenBucket messages, bytes;
  };
  template <typename State>
  using Map = StringMap<State>;

  template <typename State>
  State& Find(Map<State>& map, std::string_view key, int64_t now_ms);
  void Refuse(DeviceState& device, int64_t now_ms, PublishVerdict& verdict) const;
  bool IsIdle(const DeviceState& device, int64_t now_ms) const;
  bool IsIdle(const UserState& user, int64_t now_ms) const;

  PublishLimits limits_;
  Map<DeviceState> devices_;  // by client id, "{u}:{d}"
  Map<UserState> users_;
  std::string key_;  // scratch for the device key
  int64_t next_evict_ms_ = 0;
};

// Whether a command's JSON has the member "type":"typing" (spaces around the
// colon allowed), found without parsing: inside a JSON string every quote is
// escaped, so the unescaped sequence can only be a member. A nested object
// with that member counts too, which costs it at most a typing token.
bool IsTypingCommand(std::string_view payload);

// The `error` event for a refused publish (PROTOCOL.md, section 7):
// `rate_limited` with retry_after_ms.
std::string RateLimitedError(int64_t retry_after_ms);

}  // namespace chat::plugin
