// Device command parsing (docs/PROTOCOL.md section 5): the envelope, one
// table from `type` to its parser, and per-type parsers over field readers
// that each check one field.
#include "chatd/command.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "chat/compact_form.h"
#include "chat/ids.h"
#include "chat/json_object.h"
#include "chat/protocol.h"

namespace chat {

namespace {

using json = nlohmann::json;
using Parsed = decltype(Command::body);
using Action = GroupChangeCommand::Action;

constexpr int64_t kMaxSeq = int64_t{1} << 53;  // JSON-safe integers

RejectedCommand Reject(ErrorCode code, std::string message) { return {code, std::move(message)}; }

// --- Field readers: each returns the rejection for a present-but-wrong field
// and leaves `out` untouched when the field is absent. ---------------------

std::optional<RejectedCommand> ReadString(const json& object, const char* field, std::string* out) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    return Reject(ErrorCode::kBadField, std::string("'") + field + "' must be a string");
  }
  *out = it->get<std::string>();
  return std::nullopt;
}

std::optional<RejectedCommand> ReadRequiredId(const json& object, const char* field,
                                              std::string* out) {
  if (auto error = ReadString(object, field, out)) return error;
  if (!IsValidId(*out)) {
    return Reject(ErrorCode::kBadField,
                  std::string("'") + field + "' is required: an id of [a-z0-9_-]{1,64}");
  }
  return std::nullopt;
}

// A list of user ids, distinct in `out`; more than `max` is `too_many`.
struct UserListRule {
  std::size_t max;
  ErrorCode too_many;
  bool may_be_empty;
};

std::optional<RejectedCommand> ReadUserList(const json& object, const char* field,
                                            const UserListRule& rule,
                                            std::vector<std::string>* out) {
  auto it = object.find(field);
  std::string name = std::string("'") + field + "'";
  if (it == object.end() || !it->is_array() || (it->empty() && !rule.may_be_empty)) {
    return Reject(ErrorCode::kBadField, name + " must be a non-empty array of user ids");
  }
  if (it->size() > rule.max) {
    return Reject(rule.too_many, name + " lists more than " + std::to_string(rule.max) + " users");
  }
  std::set<std::string> seen;
  for (const auto& item : *it) {
    if (!item.is_string() || !IsValidId(item.get_ref<const std::string&>())) {
      return Reject(ErrorCode::kBadField, name + " must hold user ids of [a-z0-9_-]{1,64}");
    }
    if (seen.insert(item.get<std::string>()).second) out->push_back(item.get<std::string>());
  }
  return std::nullopt;
}

UserListRule GroupListRule(const CommandLimits& limits) {
  return {limits.max_group_members, ErrorCode::kGroupFull, /*may_be_empty=*/false};
}

std::optional<RejectedCommand> ReadInteger(const json& object, const char* field, int64_t min,
                                           int64_t max, bool required, int64_t* out) {
  auto it = object.find(field);
  std::string name = std::string("'") + field + "'";
  if (it == object.end() || it->is_null()) {
    if (!required) return std::nullopt;
    return Reject(ErrorCode::kBadField, name + " is required");
  }
  if (!it->is_number_integer()) return Reject(ErrorCode::kBadField, name + " must be an integer");
  int64_t value = it->get<int64_t>();
  if (value < min || value > max) {
    return Reject(ErrorCode::kBadField,
                  name + " must be within " + std::to_string(min) + ".." + std::to_string(max));
  }
  *out = value;
  return std::nullopt;
}

// --- One parser per command type ---------------------------------------

Parsed ParseSend(const json& object, const std::string& sender, const CommandLimits& limits) {
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

Parsed ParseCreateDirect(const json& object, const std::string& sender, const CommandLimits&) {
  CreateDirectCommand create;
  if (auto error = ReadRequiredId(object, "with", &create.with)) return *error;
  if (create.with == sender) {
    return Reject(ErrorCode::kInvalidRecipient, "cannot open a conversation with yourself");
  }
  return create;
}

Parsed ParseGroupCreate(const json& object, const std::string& sender,
                        const CommandLimits& limits) {
  GroupCreateCommand create;
  if (auto error = ReadString(object, "title", &create.title)) return *error;
  if (create.title.empty() || create.title.size() > protocol::kMaxTitleBytes) {
    return Reject(ErrorCode::kBadField,
                  "'title' must be 1.." + std::to_string(protocol::kMaxTitleBytes) + " bytes");
  }
  std::vector<std::string> users;
  if (auto error = ReadUserList(object, "members", GroupListRule(limits), &users)) {
    return *error;
  }
  for (auto& user : users) {
    if (user != sender) create.members.push_back(std::move(user));
  }
  if (create.members.size() + 1 > limits.max_group_members) {
    return Reject(ErrorCode::kGroupFull,
                  "a group holds at most " + std::to_string(limits.max_group_members) + " members");
  }
  return create;
}

// group.add, group.remove, group.leave and group.role.
template <Action action>
Parsed ParseGroupChange(const json& object, const std::string&, const CommandLimits& limits) {
  GroupChangeCommand change{action, {}, {}, {}, {}};
  if (auto error = ReadRequiredId(object, "conv", &change.conv)) return *error;
  if (action == Action::kAdd || action == Action::kRemove) {
    if (auto error = ReadUserList(object, "users", GroupListRule(limits), &change.users)) {
      return *error;
    }
  }
  if (action == Action::kSetRole) {
    if (auto error = ReadRequiredId(object, "user", &change.user)) return *error;
    if (auto error = ReadString(object, "role", &change.role)) return *error;
    if (change.role != protocol::role::kAdmin && change.role != protocol::role::kMember) {
      return Reject(ErrorCode::kBadField, "'role' must be \"admin\" or \"member\"");
    }
  }
  return change;
}

Parsed ParseSync(const json& object, const std::string&, const CommandLimits&) {
  SyncCommand sync;
  if (auto error = ReadInteger(object, "limit", 1, protocol::kMaxSyncLimit, false, &sync.limit)) {
    return *error;
  }
  auto it = object.find("cursors");
  if (it == object.end() || it->is_null()) return sync;
  if (!it->is_object()) return Reject(ErrorCode::kBadField, "'cursors' must be an object");
  for (const auto& [conv, seq] : it->items()) {
    if (!IsValidId(conv) || !seq.is_number_integer() || seq.get<int64_t>() < 0 ||
        seq.get<int64_t>() > kMaxSeq) {
      return Reject(ErrorCode::kBadField, "'cursors' must map conversation ids to seq >= 0");
    }
    sync.cursors[conv] = seq.get<int64_t>();
  }
  return sync;
}

Parsed ParseHistory(const json& object, const std::string&, const CommandLimits&) {
  HistoryCommand history;
  if (auto error = ReadRequiredId(object, "conv", &history.conv)) return *error;
  if (auto error = ReadInteger(object, "before", 1, kMaxSeq, false, &history.before)) {
    return *error;
  }
  if (auto error =
          ReadInteger(object, "limit", 1, protocol::kMaxHistoryLimit, false, &history.limit)) {
    return *error;
  }
  return history;
}

// delivered (read = false) and read.
template <bool read>
Parsed ParseCursor(const json& object, const std::string&, const CommandLimits&) {
  CursorCommand cursor{read, {}, 0};
  if (auto error = ReadRequiredId(object, "conv", &cursor.conv)) return *error;
  if (auto error = ReadInteger(object, "seq", 0, kMaxSeq, true, &cursor.seq)) return *error;
  return cursor;
}

Parsed ParseReceiptsQuery(const json& object, const std::string&, const CommandLimits&) {
  ReceiptsQueryCommand query;
  if (auto error = ReadRequiredId(object, "conv", &query.conv)) return *error;
  if (auto error = ReadInteger(object, "seq", 1, kMaxSeq, true, &query.seq)) return *error;
  return query;
}

Parsed ParseTyping(const json& object, const std::string&, const CommandLimits&) {
  TypingCommand typing;
  if (auto error = ReadRequiredId(object, "conv", &typing.conv)) return *error;
  return typing;
}

Parsed ParsePresenceWatch(const json& object, const std::string&, const CommandLimits&) {
  PresenceWatchCommand watch;
  UserListRule rule{protocol::kMaxWatchedUsers, ErrorCode::kBadField, /*may_be_empty=*/true};
  if (auto error = ReadUserList(object, "users", rule, &watch.users)) return *error;
  return watch;
}

Parsed ParsePresenceSet(const json& object, const std::string&, const CommandLimits&) {
  std::string state;
  if (auto error = ReadString(object, "state", &state)) return *error;
  if (state != protocol::presence_state::kAway && state != protocol::presence_state::kOnline) {
    return Reject(ErrorCode::kBadField, "'state' must be \"away\" or \"online\"");
  }
  return PresenceSetCommand{state == protocol::presence_state::kAway};
}

// block (block = true) and unblock.
template <bool block>
Parsed ParseBlock(const json& object, const std::string& sender, const CommandLimits&) {
  BlockCommand command{block, {}};
  if (auto error = ReadRequiredId(object, "user", &command.user)) return *error;
  if (command.user == sender) return Reject(ErrorCode::kInvalidRecipient, "cannot block yourself");
  return command;
}

Parsed ParseBlocksQuery(const json&, const std::string&, const CommandLimits&) {
  return BlocksQueryCommand{};
}

// mute (mute = true) and unmute.
template <bool mute>
Parsed ParseMute(const json& object, const std::string&, const CommandLimits&) {
  MuteCommand command{mute, {}, 0};
  if (auto error = ReadRequiredId(object, "conv", &command.conv)) return *error;
  if (mute) {
    if (auto error = ReadInteger(object, "until", 1, kMaxSeq, false, &command.until_ms)) {
      return *error;
    }
  }
  return command;
}

Parsed ParseSettingsSet(const json& object, const std::string&, const CommandLimits&) {
  SettingsSetCommand settings;
  if (auto it = object.find("presence"); it != object.end() && !it->is_null()) {
    auto audience =
        it->is_string() ? ParsePresenceAudience(it->get_ref<const std::string&>()) : std::nullopt;
    if (!audience) {
      return Reject(ErrorCode::kBadField,
                    "'presence' must be \"everyone\", \"contacts\" or \"nobody\"");
    }
    settings.presence = audience;
  }
  if (auto it = object.find("read_receipts"); it != object.end() && !it->is_null()) {
    if (!it->is_boolean()) return Reject(ErrorCode::kBadField, "'read_receipts' must be a boolean");
    settings.read_receipts = it->get<bool>();
  }
  if (auto it = object.find("push_preview"); it != object.end() && !it->is_null()) {
    auto preview =
        it->is_string() ? ParsePushPreview(it->get_ref<const std::string&>()) : std::nullopt;
    if (!preview) {
      return Reject(ErrorCode::kBadField,
                    "'push_preview' must be \"full\", \"sender\" or \"none\"");
    }
    settings.push_preview = preview;
  }
  if (!settings.presence && !settings.read_receipts && !settings.push_preview) {
    return Reject(ErrorCode::kBadField,
                  "one of 'presence', 'read_receipts' and 'push_preview' is required");
  }
  return settings;
}

Parsed ParseSettingsGet(const json&, const std::string&, const CommandLimits&) {
  return SettingsGetCommand{};
}

Parsed ParsePushRegister(const json& object, const std::string&, const CommandLimits&) {
  PushRegisterCommand push;
  if (auto error = ReadString(object, "platform", &push.platform)) return *error;
  if (push.platform != protocol::push_platform::kFcm &&
      push.platform != protocol::push_platform::kApns) {
    return Reject(ErrorCode::kBadField, "'platform' must be \"fcm\" or \"apns\"");
  }
  if (auto error = ReadString(object, "app", &push.app)) return *error;
  if (!IsValidPushApp(push.app)) {
    return Reject(ErrorCode::kBadField,
                  "'app' is required: the bundle id or package name, [A-Za-z0-9._-]{1,255}");
  }
  if (auto error = ReadString(object, "token", &push.token)) return *error;
  bool apns = push.platform == protocol::push_platform::kApns;
  if (apns ? !IsValidApnsToken(push.token) : !IsValidFcmToken(push.token)) {
    return Reject(ErrorCode::kBadField,
                  apns ? "'token' must be the APNs device token in hex (64 or more digits)"
                       : "'token' must be the FCM registration token (printable, no spaces)");
  }
  if (auto it = object.find("sandbox"); it != object.end() && !it->is_null()) {
    if (!it->is_boolean()) return Reject(ErrorCode::kBadField, "'sandbox' must be a boolean");
    if (!apns && it->get<bool>()) {
      return Reject(ErrorCode::kBadField, "'sandbox' applies to \"apns\" only");
    }
    push.sandbox = it->get<bool>();
  }
  return push;
}

Parsed ParsePushUnregister(const json&, const std::string&, const CommandLimits&) {
  return PushUnregisterCommand{};
}

// --- The commands chatd accepts --------------------------------------------

using Parser = Parsed (*)(const json& object, const std::string& sender,
                          const CommandLimits& limits);

struct CommandType {
  std::string_view type;  // the envelope's `type`
  Parser parse;
  bool query;  // answered off the writer thread, by the QueryService
};

constexpr CommandType kCommandTypes[] = {
    {protocol::command::kSend, ParseSend, false},
    {protocol::command::kConvCreate, ParseCreateDirect, false},
    {protocol::command::kGroupCreate, ParseGroupCreate, false},
    {protocol::command::kGroupAdd, ParseGroupChange<Action::kAdd>, false},
    {protocol::command::kGroupRemove, ParseGroupChange<Action::kRemove>, false},
    {protocol::command::kGroupLeave, ParseGroupChange<Action::kLeave>, false},
    {protocol::command::kGroupRole, ParseGroupChange<Action::kSetRole>, false},
    {protocol::command::kDelivered, ParseCursor</*read=*/false>, false},
    {protocol::command::kRead, ParseCursor</*read=*/true>, false},
    {protocol::command::kSync, ParseSync, true},
    {protocol::command::kHistory, ParseHistory, true},
    {protocol::command::kReceipts, ParseReceiptsQuery, true},
    {protocol::command::kTyping, ParseTyping, true},
    {protocol::command::kPresenceWatch, ParsePresenceWatch, true},
    {protocol::command::kPresenceSet, ParsePresenceSet, true},
    {protocol::command::kBlock, ParseBlock</*block=*/true>, false},
    {protocol::command::kUnblock, ParseBlock</*block=*/false>, false},
    {protocol::command::kMute, ParseMute</*mute=*/true>, false},
    {protocol::command::kUnmute, ParseMute</*mute=*/false>, false},
    {protocol::command::kSettingsSet, ParseSettingsSet, false},
    {protocol::command::kBlocks, ParseBlocksQuery, true},
    {protocol::command::kSettingsGet, ParseSettingsGet, true},
    {protocol::command::kPushRegister, ParsePushRegister, false},
    {protocol::command::kPushUnregister, ParsePushUnregister, false},
};

// --- The envelope ------------------------------------------------------------

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
  if (!object) {
    return {ErrorCode::kBadJson, "the payload must be one JSON object (or a compact array)"};
  }
  for (auto [name, field] : {std::pair{"req_id", &command.req_id}, {"cmid", &command.cmid}}) {
    const std::string* value = object->String(name);
    if (value && IsValidClientToken(*value)) *field = *value;
  }
  return {ErrorCode::kBadJson, "a number in the payload is beyond the range of a double"};
}

}  // namespace

bool Command::IsQuery() const { return query; }

Command ParseCommand(const DeviceAddress& sender, std::string_view payload,
                     const CommandLimits& limits) {
  Command command{sender, {}, {}, RejectedCommand{ErrorCode::kBadJson, ""}, false};
  if (!IsValidUtf8(payload)) {
    command.body = Reject(ErrorCode::kInvalidUtf8, "the payload is not valid UTF-8");
    return command;
  }
  json object = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (object.is_array() && !object.empty() && object[0].is_string()) {
    std::string error;
    std::optional<json> expanded = compact::Expand(std::move(object), error);
    if (!expanded) {
      command.body = Reject(ErrorCode::kUnknownType, error);
      return command;
    }
    object = std::move(*expanded);
  }
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
  const std::string& name = type->get_ref<const std::string&>();
  for (const CommandType& known : kCommandTypes) {
    if (known.type != name) continue;
    command.body = known.parse(object, sender.user, limits);
    // A rejection is answered by the writer, whatever its type.
    command.query = known.query && !std::holds_alternative<RejectedCommand>(command.body);
    return command;
  }
  std::string shown = name.size() > 32 ? name.substr(0, 32) + "..." : name;
  command.body = Reject(ErrorCode::kUnknownType, "unknown command type '" + shown + "'");
  return command;
}

}  // namespace chat
