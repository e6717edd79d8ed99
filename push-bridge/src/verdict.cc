// The decision table of NEXT-WAVE.md 1c, for APNs and for FCM.
#include "verdict.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <string>

namespace chat::push {

namespace {

using Json = nlohmann::json;

SendResult Result(const HttpResponse& answer, Verdict verdict, std::string reason) {
  SendResult result;
  result.verdict = verdict;
  result.http_status = answer.status;
  result.reason = std::move(reason);
  result.latency_ms = answer.latency_ms;
  return result;
}

std::string ApnsReason(const HttpResponse& answer) {
  Json body = Json::parse(answer.body, nullptr, false);
  if (body.is_object() && body.contains("reason") && body["reason"].is_string()) {
    return body["reason"].get<std::string>();
  }
  return "";
}

// FCM's error, reduced to what decides: status ("INVALID_ARGUMENT"), the
// FcmError errorCode if any, and the short names of the details' types.
struct FcmError {
  std::string status;
  std::string error_code;    // from a google.firebase.fcm.v1.FcmError detail
  std::string detail_types;  // e.g. "FcmError" or "BadRequest", comma-separated
};

FcmError ParseFcmError(const std::string& text) {
  FcmError error;
  Json body = Json::parse(text, nullptr, false);
  if (!body.is_object() || !body.contains("error") || !body["error"].is_object()) return error;
  const Json& e = body["error"];
  if (e.contains("status") && e["status"].is_string()) error.status = e["status"];
  if (!e.contains("details") || !e["details"].is_array()) return error;
  for (const Json& detail : e["details"]) {
    if (!detail.is_object() || !detail.contains("@type") || !detail["@type"].is_string()) continue;
    std::string type = detail["@type"];
    std::string short_type = type.substr(type.rfind('.') + 1);  // npos + 1 == 0: all of it
    if (!error.detail_types.empty()) error.detail_types += ",";
    error.detail_types += short_type;
    if (short_type == "FcmError" && detail.contains("errorCode") &&
        detail["errorCode"].is_string()) {
      error.error_code = detail["errorCode"];
    }
  }
  return error;
}

}  // namespace

SendResult ClassifyApnsAnswer(const HttpResponse& answer) {
  if (answer.status == 0) return Result(answer, Verdict::kRetry, answer.error);
  if (answer.status == 200) return Result(answer, Verdict::kDelivered, "");
  std::string reason = ApnsReason(answer);
  if (reason.empty()) reason = "HTTP " + std::to_string(answer.status);
  switch (answer.status) {
    case 410: return Result(answer, Verdict::kDeleteToken, reason);      // Unregistered
    case 403: return Result(answer, Verdict::kCredentialFault, reason);  // our token or certificate
    case 429:
      if (reason == "TooManyProviderTokenUpdates") {
        return Result(answer, Verdict::kCredentialFault, reason);
      }
      return Result(answer, Verdict::kRetry, reason);  // TooManyRequests to this device
    default: break;
  }
  if (answer.status >= 500) return Result(answer, Verdict::kRetry, reason);
  // 400 BadDeviceToken is dropped, not deleted: the token may be valid in the
  // other environment (sandbox vs production; Apple DTS, NEXT-WAVE 1b). The
  // same for DeviceTokenNotForTopic and TopicDisallowed (another topic, or
  // our configuration). 413 PayloadTooLarge and other 4xx: this push only.
  return Result(answer, Verdict::kDrop, reason);
}

SendResult ClassifyFcmAnswer(const HttpResponse& answer, int64_t now_s) {
  if (answer.status == 0) return Result(answer, Verdict::kRetry, answer.error);
  if (answer.status == 200) return Result(answer, Verdict::kDelivered, "");
  FcmError error = ParseFcmError(answer.body);
  std::string reason = !error.error_code.empty() ? error.error_code
                       : !error.status.empty()   ? error.status
                                                 : "HTTP " + std::to_string(answer.status);
  if (answer.status == 404 && (error.error_code == "UNREGISTERED" ||
                               (error.error_code.empty() && error.status == "UNREGISTERED"))) {
    return Result(answer, Verdict::kDeleteToken, "UNREGISTERED");
  }
  if (answer.status == 429 || answer.status >= 500) {
    SendResult result = Result(answer, Verdict::kRetry, reason);
    result.retry_after_s = ParseRetryAfter(answer.Header("retry-after"), now_s);
    return result;
  }
  if (answer.status == 401 || answer.status == 403) {
    return Result(answer, Verdict::kCredentialFault, reason);  // SENDER_ID_MISMATCH, auth
  }
  // 400 INVALID_ARGUMENT: an FcmError detail blames the token, a BadRequest
  // detail our payload; either way this push is dropped, the reason says which.
  if (!error.detail_types.empty()) reason += " (" + error.detail_types + ")";
  return Result(answer, Verdict::kDrop, reason);
}

std::optional<int64_t> ParseRetryAfter(std::string_view value, int64_t now_s) {
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error == std::errc() && end == value.data() + value.size()) {
    return seconds >= 0 ? std::optional<int64_t>(seconds) : std::nullopt;
  }
  time_t date = curl_getdate(std::string(value).c_str(), nullptr);
  if (date == -1) return std::nullopt;
  return std::max<int64_t>(0, static_cast<int64_t>(date) - now_s);
}

}  // namespace chat::push
