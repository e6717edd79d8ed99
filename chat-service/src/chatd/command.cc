// Device command parsing: envelope checks and dispatch by `type`.
#include "chatd/command.h"

#include "chat/ids.h"
#include "chat/json_object.h"
#include "chatd/command_parsers.h"

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
    case ErrorCode::kForbidden: return "forbidden";
    case ErrorCode::kNotGroup: return "not_group";
    case ErrorCode::kGroupFull: return "group_full";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

bool Command::IsQuery() const {
  return std::holds_alternative<SyncCommand>(body) ||
         std::holds_alternative<HistoryCommand>(body) ||
         std::holds_alternative<ReceiptsQueryCommand>(body) ||
         std::holds_alternative<TypingCommand>(body);
}

namespace {

using fields::json;
using fields::Reject;
using Action = GroupChangeCommand::Action;

// Reads req_id and cmid when well formed, so errors can echo them.
std::optional<RejectedCommand> ReadEnvelopeIds(const json& object, Command& command) {
  if (auto it = object.find("cmid"); it != object.end() && it->is_string() &&
                                     IsValidClientToken(it->get_ref<const std::string&>())) {
    command.cmid = it->get<std::string>();
  }
  auto it = object.find("req_id");
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string() || !IsValidClientToken(it->get_ref<const std::string&>())) {
    return Reject(ErrorCode::kBadField, "'req_id' must match [A-Za-z0-9._:-]{1,64}");
  }
  command.req_id = it->get<std::string>();
  return std::nullopt;
}

// bad_json for a payload nlohmann refused. When the only fault is a number
// beyond a double's range (`"body":1e999`), the object is otherwise readable
// and the error still carries its req_id and cmid.
RejectedCommand RejectUnreadable(std::string_view payload, Command& command) {
  auto object = JsonObject::Parse(payload, JsonObject::Numbers::kAnyRange);
  if (!object) return {ErrorCode::kBadJson, "the payload must be one JSON object"};
  for (auto [name, field] : {std::pair{"req_id", &command.req_id}, {"cmid", &command.cmid}}) {
    const std::string* value = object->String(name);
    if (value && IsValidClientToken(*value)) *field = *value;
  }
  return {ErrorCode::kBadJson, "a number in the payload is beyond the range of a double"};
}

parsers::Parsed Dispatch(const std::string& type, const json& object, const std::string& sender,
                         const CommandLimits& limits) {
  if (type == "send") return parsers::Send(object, sender, limits);
  if (type == "conv.create") return parsers::CreateDirect(object, sender);
  if (type == "group.create") return parsers::GroupCreate(object, sender, limits);
  if (type == "group.add") return parsers::GroupChange(object, Action::kAdd, limits);
  if (type == "group.remove") return parsers::GroupChange(object, Action::kRemove, limits);
  if (type == "group.leave") return parsers::GroupChange(object, Action::kLeave, limits);
  if (type == "group.role") return parsers::GroupChange(object, Action::kSetRole, limits);
  if (type == "sync") return parsers::Sync(object);
  if (type == "history") return parsers::History(object);
  if (type == "delivered") return parsers::Cursor(object, /*read=*/false);
  if (type == "read") return parsers::Cursor(object, /*read=*/true);
  if (type == "receipts") return parsers::ReceiptsQuery(object);
  if (type == "typing") return parsers::Typing(object);
  std::string shown = type.size() > 32 ? type.substr(0, 32) + "..." : type;
  return Reject(ErrorCode::kUnknownType, "unknown command type '" + shown + "'");
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
    command.body = RejectUnreadable(payload, command);
    return command;
  }
  if (auto error = ReadEnvelopeIds(object, command)) {
    command.body = *error;
    return command;
  }
  auto type = object.find("type");
  if (type == object.end() || !type->is_string()) {
    command.body = Reject(ErrorCode::kUnknownType, "'type' is required");
    return command;
  }
  command.body = Dispatch(type->get<std::string>(), object, sender.user, limits);
  return command;
}

}  // namespace chat
