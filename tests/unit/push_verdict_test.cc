// The decision table of NEXT-WAVE.md 1c, one row per case: what each
// provider answer means for the push and the token.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "verdict.h"

namespace chat::push {
namespace {

constexpr int64_t kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z

struct Row {
  const char* name;
  int status;
  std::string body;
  std::string retry_after;  // the Retry-After header, "" for none
  Verdict verdict;
  std::string reason;
  std::optional<int64_t> retry_after_s = std::nullopt;
};

HttpResponse Answer(const Row& row) {
  HttpResponse answer;
  answer.status = row.status;
  answer.body = row.body;
  answer.latency_ms = 12.5;
  if (row.status == 0) answer.error = "Connection refused";
  if (!row.retry_after.empty()) answer.headers.emplace_back("retry-after", row.retry_after);
  return answer;
}

std::string Apns(const char* reason) { return std::string(R"({"reason":")") + reason + "\"}"; }

std::string Fcm(int code, const char* status, const char* detail_type = nullptr,
                const char* error_code = nullptr) {
  std::string details;
  if (detail_type) {
    details = std::string(R"(,"details":[{"@type":"type.googleapis.com/)") + detail_type + "\"";
    if (error_code) details += std::string(R"(,"errorCode":")") + error_code + "\"";
    details += "}]";
  }
  return R"({"error":{"code":)" + std::to_string(code) + R"(,"message":"m","status":")" + status +
         "\"" + details + "}}";
}

void Check(const Row& row, const SendResult& result) {
  EXPECT_EQ(result.verdict, row.verdict) << row.name;
  EXPECT_EQ(result.reason, row.reason) << row.name;
  EXPECT_EQ(result.http_status, row.status) << row.name;
  EXPECT_EQ(result.retry_after_s, row.retry_after_s) << row.name;
  EXPECT_EQ(result.latency_ms, 12.5) << row.name;
}

TEST(ApnsVerdict, EveryRowOfTheTable) {
  const Row rows[] = {
      {"200 delivered", 200, "", "", Verdict::kDelivered, ""},
      {"410 Unregistered deletes", 410, R"({"reason":"Unregistered","timestamp":1})", "",
       Verdict::kDeleteToken, "Unregistered"},
      // Not deleted: the token may belong to the other environment.
      {"400 BadDeviceToken drops", 400, Apns("BadDeviceToken"), "", Verdict::kDrop,
       "BadDeviceToken"},
      {"400 DeviceTokenNotForTopic drops", 400, Apns("DeviceTokenNotForTopic"), "", Verdict::kDrop,
       "DeviceTokenNotForTopic"},
      {"400 TopicDisallowed drops", 400, Apns("TopicDisallowed"), "", Verdict::kDrop,
       "TopicDisallowed"},
      {"400 BadCollapseId drops", 400, Apns("BadCollapseId"), "", Verdict::kDrop, "BadCollapseId"},
      {"403 ExpiredProviderToken", 403, Apns("ExpiredProviderToken"), "", Verdict::kCredentialFault,
       "ExpiredProviderToken"},
      {"403 InvalidProviderToken", 403, Apns("InvalidProviderToken"), "", Verdict::kCredentialFault,
       "InvalidProviderToken"},
      {"403 MissingProviderToken", 403, Apns("MissingProviderToken"), "", Verdict::kCredentialFault,
       "MissingProviderToken"},
      {"429 TooManyProviderTokenUpdates", 429, Apns("TooManyProviderTokenUpdates"), "",
       Verdict::kCredentialFault, "TooManyProviderTokenUpdates"},
      {"429 TooManyRequests retries", 429, Apns("TooManyRequests"), "", Verdict::kRetry,
       "TooManyRequests"},
      {"413 PayloadTooLarge drops", 413, Apns("PayloadTooLarge"), "", Verdict::kDrop,
       "PayloadTooLarge"},
      {"500 retries", 500, Apns("InternalServerError"), "", Verdict::kRetry, "InternalServerError"},
      {"503 retries", 503, Apns("ServiceUnavailable"), "", Verdict::kRetry, "ServiceUnavailable"},
      {"502 without a body retries", 502, "<html>", "", Verdict::kRetry, "HTTP 502"},
      {"no answer retries", 0, "", "", Verdict::kRetry, "Connection refused"},
  };
  for (const Row& row : rows) Check(row, ClassifyApnsAnswer(Answer(row)));
}

TEST(FcmVerdict, EveryRowOfTheTable) {
  const Row rows[] = {
      {"200 delivered", 200, R"({"name":"projects/p/messages/1"})", "", Verdict::kDelivered, ""},
      {"404 UNREGISTERED in FcmError deletes", 404,
       Fcm(404, "NOT_FOUND", "google.firebase.fcm.v1.FcmError", "UNREGISTERED"), "",
       Verdict::kDeleteToken, "UNREGISTERED"},
      {"404 status UNREGISTERED deletes", 404, Fcm(404, "UNREGISTERED"), "", Verdict::kDeleteToken,
       "UNREGISTERED"},
      {"404 NOT_FOUND without UNREGISTERED drops", 404, Fcm(404, "NOT_FOUND"), "", Verdict::kDrop,
       "NOT_FOUND"},
      {"400 INVALID_ARGUMENT of the token drops", 400,
       Fcm(400, "INVALID_ARGUMENT", "google.firebase.fcm.v1.FcmError", "INVALID_ARGUMENT"), "",
       Verdict::kDrop, "INVALID_ARGUMENT (FcmError)"},
      {"400 INVALID_ARGUMENT of the payload drops", 400,
       Fcm(400, "INVALID_ARGUMENT", "google.rpc.BadRequest"), "", Verdict::kDrop,
       "INVALID_ARGUMENT (BadRequest)"},
      {"403 SENDER_ID_MISMATCH", 403,
       Fcm(403, "PERMISSION_DENIED", "google.firebase.fcm.v1.FcmError", "SENDER_ID_MISMATCH"), "",
       Verdict::kCredentialFault, "SENDER_ID_MISMATCH"},
      {"401 after the retry", 401, Fcm(401, "UNAUTHENTICATED"), "", Verdict::kCredentialFault,
       "UNAUTHENTICATED"},
      {"429 QUOTA_EXCEEDED with seconds", 429,
       Fcm(429, "RESOURCE_EXHAUSTED", "google.firebase.fcm.v1.FcmError", "QUOTA_EXCEEDED"), "60",
       Verdict::kRetry, "QUOTA_EXCEEDED", 60},
      {"503 with an HTTP date", 503, Fcm(503, "UNAVAILABLE"), "Fri, 15 Jan 2027 08:02:00 GMT",
       Verdict::kRetry, "UNAVAILABLE", 120},
      {"500 INTERNAL without Retry-After", 500, Fcm(500, "INTERNAL"), "", Verdict::kRetry,
       "INTERNAL"},
      {"503 with an unreadable Retry-After", 503, Fcm(503, "UNAVAILABLE"), "soon", Verdict::kRetry,
       "UNAVAILABLE"},
      {"400 without a JSON body", 400, "bad", "", Verdict::kDrop, "HTTP 400"},
      {"no answer retries", 0, "", "", Verdict::kRetry, "Connection refused"},
  };
  for (const Row& row : rows) Check(row, ClassifyFcmAnswer(Answer(row), kNow));
}

TEST(RetryAfter, SecondsDatesAndNonsense) {
  EXPECT_EQ(ParseRetryAfter("120", kNow), 120);
  EXPECT_EQ(ParseRetryAfter("Fri, 15 Jan 2027 08:00:30 GMT", kNow), 30);
  EXPECT_EQ(ParseRetryAfter("Fri, 15 Jan 2027 07:00:00 GMT", kNow), 0);  // already past
  EXPECT_EQ(ParseRetryAfter("", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-5", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("12s", kNow), std::nullopt);
}

}  // namespace
}  // namespace chat::push
