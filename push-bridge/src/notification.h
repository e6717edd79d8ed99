// One push to one device, as pushd's job loop hands it to a provider, and
// what the provider's answer means for the job and the token
// (docs/ARCHITECTURE.md, "The push path").
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace chat::push {

enum class Platform { kFcm, kApns };

enum class NotificationKind {
  kAlert,  // shown: title and body (per the user's preview setting), sound
  kBadge,  // silent: only the badge changes (the user is active elsewhere)
  kClear,  // silent: the conversation was read elsewhere; remove its notifications
};

struct Notification {
  std::string id;  // a UUID, unique per request: apns-id, and in every log line
  Platform platform = Platform::kFcm;
  std::string app;       // APNs: the bundle id (apns-topic); FCM: the app's package name
  bool sandbox = false;  // APNs only: the development environment
  std::string token;     // the device's push token
  std::string user;      // for logs only
  std::string device;    // for logs only
  NotificationKind kind = NotificationKind::kAlert;
  std::string conv;          // the conversation: collapse id and data field "conv"
  int64_t seq = 0;           // the newest message's seq in conv (data field "seq")
  std::string title;         // alerts: e.g. the sender, or the group's name
  std::string body;          // alerts: the preview text, "3 new messages", or "New message"
  int64_t count = 0;         // new messages in conv this push stands for
  int64_t badge = 0;         // unread messages across every conversation of the user
  int64_t expires_at_s = 0;  // Unix seconds: apns-expiration, FCM ttl (0: try once)
};

// What to do after a provider answered (NEXT-WAVE.md 1c).
enum class Verdict {
  kDelivered,        // 2xx: done
  kRetry,            // 429, 5xx, GOAWAY, connection loss: again later
  kDeleteToken,      // APNs 410 Unregistered, FCM 404 UNREGISTERED: remove the token
  kDrop,             // any other refusal of this one push: log the reason, drop it
  kCredentialFault,  // our credential or configuration is wrong: keep everything, alarm
};

struct SendResult {
  Verdict verdict = Verdict::kRetry;
  int http_status = 0;                   // 0: no answer (connection failed)
  std::string reason;                    // the provider's reason/errorCode, or curl's error
  std::optional<int64_t> retry_after_s;  // FCM's Retry-After, when given
  double latency_ms = 0;                 // submit to answer
};

using SendCallback = std::function<void(const SendResult&)>;

// A provider connection: requests multiplexed over one HTTP/2 connection.
// Submit never blocks on the network; callbacks run inside Poll, on the
// caller's thread.
class Provider {
 public:
  virtual ~Provider() = default;
  virtual void Submit(const Notification& notification, SendCallback done) = 0;
  // Drives the transfers for at most `timeout_ms`; returns the number in flight.
  virtual int Poll(int timeout_ms) = 0;
};

}  // namespace chat::push
