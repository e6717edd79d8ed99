// Validation of the identifiers that appear in topics and payloads.
#pragma once

#include <string>
#include <string_view>

namespace chat {

// Longest user, device, conversation, client-message or request id accepted.
inline constexpr std::size_t kMaxIdLength = 64;

// User, device and conversation ids: [a-z0-9_-]{1,64}. They appear as topic
// levels, so they can never contain '/', '+', '#', '$' or ':'.
bool IsValidId(std::string_view id);

// Client message ids and request ids, chosen by clients: [A-Za-z0-9._:-]{1,64}
// (UUIDs, ULIDs and counters all fit).
bool IsValidClientToken(std::string_view token);

// A push registration's `app` as Apple and Google spell bundle ids and
// package names: [A-Za-z0-9._-]{1,255} (protocol::kMaxPushAppBytes).
bool IsValidPushApp(std::string_view app);
// An APNs device token: hex digits, an even number of them, 64..200 (64
// today; Apple may lengthen them).
bool IsValidApnsToken(std::string_view token);
// An FCM registration token: 1..4096 printable ASCII characters without spaces.
bool IsValidFcmToken(std::string_view token);

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view text);

// A fresh conversation id: "c" followed by 16 lowercase base32 digits (80
// random bits).
std::string NewConversationId();

}  // namespace chat
