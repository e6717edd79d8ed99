// Encoding and validation of the group, sync, history, receipt and typing
// commands (PROTOCOL.md section 5).
#include <nlohmann/json.hpp>

#include "chat/client/commands.h"
#include "chat/ids.h"

namespace chat::client {
namespace {

// Keys keep insertion order so the bytes match PROTOCOL.md's examples.
using ordered_json = nlohmann::ordered_json;

constexpr std::size_t kMaxTitleBytes = 200;
constexpr int kMaxHistoryLimit = 500;

std::string Dump(const ordered_json& j) {
  return j.dump(-1, ' ', /*ensure_ascii=*/false, ordered_json::error_handler_t::replace);
}

Status Invalid(std::string message) {
  return Status::Error(Status::Code::kInvalidArgument, std::move(message));
}

Status ValidateConv(std::string_view conv) {
  return IsValidId(conv) ? Status::Ok() : Invalid("'conv' is not a valid conversation id");
}

Status ValidateUsers(const char* name, const std::vector<std::string>& users) {
  if (users.empty()) return Invalid(std::string("'") + name + "' must name at least one user");
  for (const auto& user : users) {
    if (!IsValidId(user)) return Invalid("'" + user + "' is not a valid user id");
  }
  return Status::Ok();
}

ordered_json Request(std::string_view type, std::string_view req_id) {
  ordered_json j;
  j["type"] = std::string(type);
  j["req_id"] = std::string(req_id);
  return j;
}

}  // namespace

Status ValidateReqId(std::string_view req_id) {
  return IsValidClientToken(req_id) ? Status::Ok()
                                    : Invalid("'req_id' must match [A-Za-z0-9._:-]{1,64}");
}

Status ValidateGroupCreate(std::string_view title, const std::vector<std::string>& members) {
  if (title.empty() || title.size() > kMaxTitleBytes || !IsValidUtf8(title)) {
    return Invalid("'title' must be 1..200 bytes of UTF-8");
  }
  return ValidateUsers("members", members);
}

std::string EncodeGroupCreate(std::string_view req_id, std::string_view title,
                              const std::vector<std::string>& members) {
  ordered_json j = Request("group.create", req_id);
  j["title"] = std::string(title);
  j["members"] = members;
  return Dump(j);
}

Status ValidateGroupMembers(std::string_view conv, const std::vector<std::string>& users) {
  Status status = ValidateConv(conv);
  return status.ok() ? ValidateUsers("users", users) : status;
}

std::string EncodeGroupMembers(std::string_view type, std::string_view req_id,
                               std::string_view conv, const std::vector<std::string>& users) {
  ordered_json j = Request(type, req_id);
  j["conv"] = std::string(conv);
  j["users"] = users;
  return Dump(j);
}

std::string EncodeGroupLeave(std::string_view req_id, std::string_view conv) {
  ordered_json j = Request("group.leave", req_id);
  j["conv"] = std::string(conv);
  return Dump(j);
}

Status ValidateGroupRole(std::string_view conv, std::string_view user, std::string_view role) {
  Status status = ValidateConv(conv);
  if (!status.ok()) return status;
  if (!IsValidId(user)) return Invalid("'user' is not a valid user id");
  if (role != "admin" && role != "member") return Invalid("'role' must be admin or member");
  return Status::Ok();
}

std::string EncodeGroupRole(std::string_view req_id, std::string_view conv, std::string_view user,
                            std::string_view role) {
  ordered_json j = Request("group.role", req_id);
  j["conv"] = std::string(conv);
  j["user"] = std::string(user);
  j["role"] = std::string(role);
  return Dump(j);
}

std::string EncodeSync(std::string_view req_id, const std::map<std::string, int64_t>& cursors,
                       int limit) {
  ordered_json j = Request("sync", req_id);
  j["cursors"] = ordered_json::object();
  for (const auto& [conv, seq] : cursors) j["cursors"][conv] = seq;
  j["limit"] = limit;
  return Dump(j);
}

Status ValidateHistory(std::string_view conv, int64_t before, int limit) {
  Status status = ValidateConv(conv);
  if (!status.ok()) return status;
  if (before < 0) return Invalid("'before' must be a seq >= 1 (or 0: after the last)");
  if (limit < 0 || limit > kMaxHistoryLimit) return Invalid("'limit' must be 1..500");
  return Status::Ok();
}

std::string EncodeHistory(std::string_view req_id, std::string_view conv, int64_t before,
                          int limit) {
  ordered_json j = Request("history", req_id);
  j["conv"] = std::string(conv);
  if (before > 0) j["before"] = before;
  if (limit > 0) j["limit"] = limit;
  return Dump(j);
}

Status ValidateConvSeq(std::string_view conv, int64_t seq) {
  Status status = ValidateConv(conv);
  if (!status.ok()) return status;
  return seq >= 1 ? Status::Ok() : Invalid("'seq' must be >= 1");
}

std::string EncodeCursor(std::string_view type, std::string_view conv, int64_t seq) {
  ordered_json j;
  j["type"] = std::string(type);
  j["conv"] = std::string(conv);
  j["seq"] = seq;
  return Dump(j);
}

std::string EncodeReceipts(std::string_view req_id, std::string_view conv, int64_t seq) {
  ordered_json j = Request("receipts", req_id);
  j["conv"] = std::string(conv);
  j["seq"] = seq;
  return Dump(j);
}

std::string EncodeTyping(std::string_view conv) {
  ordered_json j;
  j["type"] = "typing";
  j["conv"] = std::string(conv);
  return Dump(j);
}

}  // namespace chat::client
