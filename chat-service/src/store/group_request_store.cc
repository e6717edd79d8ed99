// Remembered group requests in SQLite (schema/003_group_requests.sql).
#include "store/group_request_store.h"

namespace chat {

namespace {
using Step = Statement::StepResult;
}  // namespace

GroupRequestStore::GroupRequestStore(Database& db) : db_(db) {}

std::optional<AppliedGroupRequest> GroupRequestStore::Find(const std::string& user,
                                                           const std::string& device,
                                                           const std::string& req_id,
                                                           int64_t since_ms) {
  auto stmt = db_.Cached(
      "SELECT command, fingerprint, conv_id, created_ms FROM group_requests "
      "WHERE user_id = ?1 AND device_id = ?2 AND req_id = ?3 AND created_ms >= ?4");
  stmt->Bind(1, user).Bind(2, device).Bind(3, req_id).Bind(4, since_ms);
  if (stmt->Step() != Step::kRow) return std::nullopt;
  return AppliedGroupRequest{stmt->Text(0), stmt->Text(1), stmt->Text(2), stmt->Int(3)};
}

void GroupRequestStore::Remember(const std::string& user, const std::string& device,
                                 const std::string& req_id, const AppliedGroupRequest& request) {
  auto stmt = db_.Cached(
      "INSERT INTO group_requests "
      "(user_id, device_id, req_id, command, fingerprint, conv_id, created_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
      "ON CONFLICT (user_id, device_id, req_id) DO UPDATE SET command = excluded.command, "
      "fingerprint = excluded.fingerprint, conv_id = excluded.conv_id, "
      "created_ms = excluded.created_ms");
  stmt->Bind(1, user)
      .Bind(2, device)
      .Bind(3, req_id)
      .Bind(4, request.command)
      .Bind(5, request.fingerprint)
      .Bind(6, request.conv)
      .Bind(7, request.created_ms);
  if (stmt->Run() == Step::kConstraint) {
    throw StoreFailure("group request " + user + "/" + device + " " + req_id +
                       " violates a constraint");
  }
}

void GroupRequestStore::ForgetOlderThan(int64_t before_ms) {
  auto stmt = db_.Cached("DELETE FROM group_requests WHERE created_ms < ?1");
  stmt->Bind(1, before_ms);
  stmt->Run();
}

}  // namespace chat
