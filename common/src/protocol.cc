// Wire names of the protocol's error codes, and the error event.
#include "chat/protocol.h"

#include <array>
#include <utility>

#include "chat/json_writer.h"

namespace chat::protocol {

namespace {
constexpr std::array<std::pair<ErrorCode, std::string_view>, 17> kErrorNames{{
    {ErrorCode::kBadJson, "bad_json"},
    {ErrorCode::kInvalidUtf8, "invalid_utf8"},
    {ErrorCode::kUnknownType, "unknown_type"},
    {ErrorCode::kBadField, "bad_field"},
    {ErrorCode::kBodyTooLarge, "body_too_large"},
    {ErrorCode::kInvalidRecipient, "invalid_recipient"},
    {ErrorCode::kUnknownUser, "unknown_user"},
    {ErrorCode::kUnknownConversation, "unknown_conversation"},
    {ErrorCode::kNotMember, "not_member"},
    {ErrorCode::kForbidden, "forbidden"},
    {ErrorCode::kNotGroup, "not_group"},
    {ErrorCode::kGroupFull, "group_full"},
    {ErrorCode::kPayloadTooLarge, "payload_too_large"},
    {ErrorCode::kInternal, "internal"},
    {ErrorCode::kUnavailable, "unavailable"},
    {ErrorCode::kBlocked, "blocked"},
    {ErrorCode::kRateLimited, "rate_limited"},
}};
}  // namespace

std::string_view ErrorCodeName(ErrorCode code) {
  for (const auto& [known, name] : kErrorNames) {
    if (known == code) return name;
  }
  return "internal";
}

std::optional<ErrorCode> ParseErrorCode(std::string_view name) {
  for (const auto& [code, known] : kErrorNames) {
    if (known == name) return code;
  }
  return std::nullopt;
}

std::string EncodeError(const ErrorEvent& error, std::optional<int64_t> retry_after_ms) {
  JsonObjectWriter event;
  event.String("type", event::kError);
  if (!error.req_id.empty()) event.String("req_id", error.req_id);
  event.String("code", ErrorCodeName(error.code)).String("message", error.message);
  if (!error.cmid.empty()) event.String("cmid", error.cmid);
  if (error.limit) event.Integer("limit", static_cast<int64_t>(*error.limit));
  if (retry_after_ms) event.Integer("retry_after_ms", *retry_after_ms);
  return event.Finish();
}

}  // namespace chat::protocol
