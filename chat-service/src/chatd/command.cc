// Device command parsing.
#include "chatd/command.h"

#include <nlohmann/json.hpp>

#include "chat/ids.h"

namespace chat {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadJson: return "bad_json";
    case ErrorCode::kInvalidUtf8: return "invalid_utf8";
    case ErrorCode::kUnknownType: return "unknown_type";
    case ErrorCode::kBadField: return "bad_field";
    case ErrorCode::kBodyTooLarge: return "body_too_large";
    case ErrorCode::kInvalidRecipient: return "invalid_recipient";
    case ErrorCode::kUnknownUser: return "unknown_user";
    case ErrorCode::kUnknownConversation: return "unknown_conversation";
    case ErrorCode::kNotMember: return "not_member";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

namespace {

using json = nlohmann::json;

RejectedCommand Reject(ErrorCode code, std::string message) { return {code, std::move(message)}; }

// Reads an optional string field; a present field of another type is an error.
std::optional<RejectedCommand> ReadString(const json& object, const char* field,
                                          std::string* out) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    return Reject(ErrorCode::kBadField, std::string("'") + field + "' must be a string");
  }
  *out = it->get<std::string>();
  return std::nullopt;
}

std::variant<SendCommand, CreateDirectCommand, RejectedCommand> ParseSend(
    const json& object, const std::string& sender, const CommandLimits& limits) {
  SendCommand send;
  for (auto [field, out] : {std::pair{"conv", &send.conv}, std::pair{"to", &send.to},
                            std::pair{"cmid", &send.cmid}, std::pair{"body", &send.body}}) {
    if (auto error = ReadString(object, field, out)) return *error;
  }
  if (send.conv.empty() == send.to.empty()) {
    return Reject(ErrorCode::kBadField, "exactly one of 'conv' and 'to' is required");
  }
  if (!send.conv.empty() && !IsValidId(send.conv)) {
    return Reject(ErrorCode::kBadField, "'conv' is not a valid conversation id");
  }
  if (!send.to.empty() && !IsValidId(send.to)) {
    return Reject(ErrorCode::kBadField, "'to' is not a valid user id");
  }
  if (send.to == sender) return Reject(ErrorCode::kInvalidRecipient, "cannot send to yourself");
  if (!IsValidClientToken(send.cmid)) {
    return Reject(ErrorCode::kBadField, "'cmid' is required: [A-Za-z0-9._:-]{1,64}");
  }
  if (!object.contains("body") || !object["body"].is_string()) {
    return Reject(ErrorCode::kBadField, "'body' is required and must be a string");
  }
  if (send.body.size() > limits.max_body_bytes) {
    return Reject(ErrorCode::kBodyTooLarge, "'body' is " + std::to_string(send.body.size()) +
                                                " bytes; the limit is " +
                                                std::to_string(limits.max_body_bytes));
  }
  return send;
}

std::variant<SendCommand, CreateDirectCommand, RejectedCommand> ParseCreateDirect(
    const json& object, const std::string& sender) {
  CreateDirectCommand create;
  if (auto error = ReadString(object, "with", &create.with)) return *error;
  if (!IsValidId(create.with)) return Reject(ErrorCode::kBadField, "'with' must be a user id");
  if (create.with == sender) {
    return Reject(ErrorCode::kInvalidRecipient, "cannot open a conversation with yourself");
  }
  return create;
}

}  // namespace

Command ParseCommand(const DeviceAddress& sender, std::string_view payload,
                     const CommandLimits& limits) {
  Command command{sender, {}, {}, RejectedCommand{ErrorCode::kBadJson, ""}};
  if (!IsValidUtf8(payload)) {
    command.body = Reject(ErrorCode::kInvalidUtf8, "the payload is not valid UTF-8");
    return command;
  }
  json object = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) {
    command.body = Reject(ErrorCode::kBadJson, "the payload must be one JSON object");
    return command;
  }
  // req_id and cmid are echoed in errors only when they are well formed.
  if (auto it = object.find("req_id"); it != object.end() && it->is_string() &&
                                       IsValidClientToken(it->get_ref<const std::string&>())) {
    command.req_id = it->get<std::string>();
  }
  if (auto it = object.find("cmid"); it != object.end() && it->is_string() &&
                                     IsValidClientToken(it->get_ref<const std::string&>())) {
    command.cmid = it->get<std::string>();
  }
  if (object.contains("req_id") && command.req_id.empty()) {
    command.body = Reject(ErrorCode::kBadField, "'req_id' must match [A-Za-z0-9._:-]{1,64}");
    return command;
  }
  auto type = object.find("type");
  if (type == object.end() || !type->is_string()) {
    command.body = Reject(ErrorCode::kUnknownType, "'type' is required");
    return command;
  }
  const auto& name = type->get_ref<const std::string&>();
  if (name == "send") {
    command.body = ParseSend(object, sender.user, limits);
  } else if (name == "conv.create") {
    command.body = ParseCreateDirect(object, sender.user);
  } else {
    std::string shown = name.size() > 32 ? name.substr(0, 32) + "..." : name;
    command.body = Reject(ErrorCode::kUnknownType, "unknown command type '" + shown + "'");
  }
  return command;
}

}  // namespace chat
