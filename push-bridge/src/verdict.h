// What a provider's answer means for the push and the device token
// (NEXT-WAVE.md 1c): pure functions of the HTTP answer, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "http2_client.h"
#include "notification.h"

namespace chat::push {

// APNs: the status and {"reason": ...} body. `latency_ms` is copied over.
SendResult ClassifyApnsAnswer(const HttpResponse& answer);

// FCM HTTP v1: the status and the google.rpc error body
// {"error":{"code","status","message","details":[{"@type","errorCode"}...]}}.
// `now_s` turns a Retry-After date into seconds. A 401 here is final
// (kCredentialFault): FcmProvider has already retried it with a new token.
SendResult ClassifyFcmAnswer(const HttpResponse& answer, int64_t now_s);

// Retry-After as delta-seconds or an HTTP date; nullopt when absent or unreadable.
std::optional<int64_t> ParseRetryAfter(std::string_view value, int64_t now_s);

}  // namespace chat::push
