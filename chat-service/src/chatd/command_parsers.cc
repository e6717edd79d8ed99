// Per-type command parsers (docs/PROTOCOL.md section 5).
#include "chatd/command_parsers.h"

#include "chat/ids.h"

namespace chat::parsers {

namespace {
using fields::Reject;
constexpr int64_t kMaxSeq = int64_t{1} << 53;  // JSON-safe integers
}  // namespace

Parsed Send(const json& object, const std::string& sender, const CommandLimits& limits) {
  SendCommand send;
  for (auto [field, out] : {std::pair{"conv", &send.conv}, std::pair{"to", &send.to},
                            std::pair{"cmid", &send.cmid}, std::pair{"body", &send.body}}) {
    if (auto error = fields::String(object, field, out)) return *error;
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

Parsed CreateDirect(const json& object, const std::string& sender) {
  CreateDirectCommand create;
  if (auto error = fields::RequiredId(object, "with", &create.with)) return *error;
  if (create.with == sender) {
    return Reject(ErrorCode::kInvalidRecipient, "cannot open a conversation with yourself");
  }
  return create;
}

Parsed GroupCreate(const json& object, const std::string& sender, const CommandLimits& limits) {
  GroupCreateCommand create;
  if (auto error = fields::String(object, "title", &create.title)) return *error;
  if (create.title.empty() || create.title.size() > kMaxTitleBytes) {
    return Reject(ErrorCode::kBadField,
                  "'title' must be 1.." + std::to_string(kMaxTitleBytes) + " bytes");
  }
  std::vector<std::string> users;
  if (auto error = fields::UserList(object, "members", limits.max_group_members, &users)) {
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

Parsed GroupChange(const json& object, GroupChangeCommand::Action action,
                   const CommandLimits& limits) {
  using Action = GroupChangeCommand::Action;
  GroupChangeCommand change{action, {}, {}, {}, {}};
  if (auto error = fields::RequiredId(object, "conv", &change.conv)) return *error;
  if (action == Action::kAdd || action == Action::kRemove) {
    if (auto error = fields::UserList(object, "users", limits.max_group_members, &change.users)) {
      return *error;
    }
  }
  if (action == Action::kSetRole) {
    if (auto error = fields::RequiredId(object, "user", &change.user)) return *error;
    if (auto error = fields::String(object, "role", &change.role)) return *error;
    if (change.role != "admin" && change.role != "member") {
      return Reject(ErrorCode::kBadField, "'role' must be \"admin\" or \"member\"");
    }
  }
  return change;
}

Parsed Sync(const json& object) {
  SyncCommand sync;
  if (auto error = fields::Integer(object, "limit", 1, kMaxSyncLimit, false, &sync.limit)) {
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

Parsed History(const json& object) {
  HistoryCommand history;
  if (auto error = fields::RequiredId(object, "conv", &history.conv)) return *error;
  if (auto error = fields::Integer(object, "before", 1, kMaxSeq, false, &history.before)) {
    return *error;
  }
  if (auto error = fields::Integer(object, "limit", 1, kMaxHistoryLimit, false, &history.limit)) {
    return *error;
  }
  return history;
}

Parsed Cursor(const json& object, bool read) {
  CursorCommand cursor{read, {}, 0};
  if (auto error = fields::RequiredId(object, "conv", &cursor.conv)) return *error;
  if (auto error = fields::Integer(object, "seq", 0, kMaxSeq, true, &cursor.seq)) return *error;
  return cursor;
}

Parsed ReceiptsQuery(const json& object) {
  ReceiptsQueryCommand query;
  if (auto error = fields::RequiredId(object, "conv", &query.conv)) return *error;
  if (auto error = fields::Integer(object, "seq", 1, kMaxSeq, true, &query.seq)) return *error;
  return query;
}

Parsed Typing(const json& object) {
  TypingCommand typing;
  if (auto error = fields::RequiredId(object, "conv", &typing.conv)) return *error;
  return typing;
}

}  // namespace chat::parsers
