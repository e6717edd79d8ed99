// The JSON bodies FCM and APNs receive for a Notification, cut to fit the
// providers' size limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "notification.h"

namespace chat::push {

// Both providers refuse larger payloads (APNs 413, FCM 400), counting every byte.
inline constexpr size_t kMaxPayloadBytes = 4096;

// "alert", "badge" or "clear": the data field "kind".
std::string_view KindName(NotificationKind kind);

// How APNs is told what a push does (apns-push-type, apns-priority), also
// inside FCM's "apns" block. An alert: "alert" at 10. A badge update: "alert"
// at 5 with only a badge (Apple counts a badge change as user-visible). A
// clear: "background" at 5, content-available only (Apple refuses a
// background push that carries alert, sound or badge: BadPriority); the app
// removes the conversation's notifications and sets the badge from "badge".
std::string_view ApnsPushType(const Notification& n);
std::string_view ApnsPriority(const Notification& n);

// The APNs payload. Alerts:
//   {"aps":{"alert":{"title","body"},"badge","sound":"default","thread-id":conv},"conv","seq"}
// Silent (badge, clear):
//   {"aps":{"content-available":1,"badge"},"conv","seq","kind"}
std::string BuildApnsPayload(const Notification& notification);

// The FCM HTTP v1 request body: {"message":{"token","notification" (alerts),
// "data" (string values: conv, seq, count, badge, kind), "android"
// (collapse_key, priority, ttl), "apns" (headers, payload)}}. The ttl is
// expires_at_s - now_s seconds, 0 when that has passed or is not set.
std::string BuildFcmMessage(const Notification& notification, int64_t now_s);

// Both builders keep to kMaxPayloadBytes by cutting the body first, then the
// title, on UTF-8 character boundaries and ending the cut text with "…"
// (Sygnal's apnstruncate does the same). Invalid UTF-8 in the input becomes
// U+FFFD, so the output is always valid UTF-8 and valid JSON.

// The longest prefix of `text` of at most `max_bytes` that ends on a
// character boundary.
std::string_view Utf8Prefix(std::string_view text, size_t max_bytes);

}  // namespace chat::push
