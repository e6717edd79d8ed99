// Provider payloads and their truncation.
#include "payload.h"

#include <functional>
#include <nlohmann/json.hpp>

namespace chat::push {

namespace {

using Json = nlohmann::json;

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // "…", 3 bytes

bool IsAlert(const Notification& n) { return n.kind == NotificationKind::kAlert; }

// Compact, and invalid UTF-8 replaced rather than thrown on.
std::string Serialize(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Cuts `text` by at least `excess` bytes plus room for the ellipsis; "" when
// that is all of it.
void Shorten(std::string& text, size_t excess) {
  if (excess + kEllipsis.size() >= text.size()) {
    text.clear();
    return;
  }
  text = std::string(Utf8Prefix(text, text.size() - excess - kEllipsis.size())) +
         std::string(kEllipsis);
}

// Builds with `build`, then shortens body and title until the result fits.
// JSON escaping never shrinks text, so removing n raw bytes removes at least
// n serialized ones: each pass fits or empties the field it cut.
std::string BuildWithin(Notification notification,
                        const std::function<Json(const Notification&)>& build) {
  std::string serialized = Serialize(build(notification));
  while (serialized.size() > kMaxPayloadBytes &&
         (!notification.body.empty() || !notification.title.empty())) {
    std::string& field = notification.body.empty() ? notification.title : notification.body;
    Shorten(field, serialized.size() - kMaxPayloadBytes);
    serialized = Serialize(build(notification));
  }
  return serialized;  // still over only if ids and tokens alone are too long: the provider refuses
}

// The aps dictionary but the alert text (which truncation may cut).
Json ApsOf(const Notification& n) {
  switch (n.kind) {
    case NotificationKind::kAlert:
      return {{"badge", n.badge}, {"sound", "default"}, {"thread-id", n.conv}};
    case NotificationKind::kBadge: return {{"badge", n.badge}};
    case NotificationKind::kClear: return {{"content-available", 1}};
  }
  return Json::object();
}

Json ApnsPayload(const Notification& n) {
  Json aps = ApsOf(n);
  if (IsAlert(n)) aps["alert"] = {{"title", n.title}, {"body", n.body}};
  Json payload = {{"aps", aps}, {"conv", n.conv}, {"seq", n.seq}};
  if (!IsAlert(n)) payload["kind"] = KindName(n.kind);
  if (n.kind == NotificationKind::kClear) payload["badge"] = n.badge;
  return payload;
}

Json FcmMessage(const Notification& n, int64_t ttl_s) {
  Json message;
  message["token"] = n.token;
  if (IsAlert(n)) message["notification"] = {{"title", n.title}, {"body", n.body}};
  message["data"] = {{"conv", n.conv},
                     {"seq", std::to_string(n.seq)},
                     {"count", std::to_string(n.count)},
                     {"badge", std::to_string(n.badge)},
                     {"kind", KindName(n.kind)}};
  message["android"] = {{"collapse_key", n.conv},
                        {"priority", IsAlert(n) ? "HIGH" : "NORMAL"},
                        {"ttl", std::to_string(ttl_s) + "s"}};
  message["apns"] = {{"headers",
                      {{"apns-collapse-id", std::string(Utf8Prefix(n.conv, 64))},
                       {"apns-priority", ApnsPriority(n)},
                       {"apns-push-type", ApnsPushType(n)}}},
                     {"payload", {{"aps", ApsOf(n)}}}};
  return {{"message", message}};
}

}  // namespace

std::string_view ApnsPushType(const Notification& n) {
  return n.kind == NotificationKind::kClear ? "background" : "alert";
}

std::string_view ApnsPriority(const Notification& n) { return IsAlert(n) ? "10" : "5"; }

std::string_view KindName(NotificationKind kind) {
  switch (kind) {
    case NotificationKind::kAlert: return "alert";
    case NotificationKind::kBadge: return "badge";
    case NotificationKind::kClear: return "clear";
  }
  return "alert";
}

std::string_view Utf8Prefix(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  // Step back over continuation bytes (10xxxxxx) to the start of a character.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

std::string BuildApnsPayload(const Notification& notification) {
  return BuildWithin(notification, ApnsPayload);
}

std::string BuildFcmMessage(const Notification& notification, int64_t now_s) {
  int64_t ttl_s = notification.expires_at_s > now_s ? notification.expires_at_s - now_s : 0;
  return BuildWithin(notification, [ttl_s](const Notification& n) { return FcmMessage(n, ttl_s); });
}

}  // namespace chat::push
