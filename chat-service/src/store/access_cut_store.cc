// The access cut log.
#include "store/access_cut_store.h"

namespace chat {

AccessCutStore::AccessCutStore(Database& db) : db_(db) {}

void AccessCutStore::Record(const std::string& user, const std::string& device,
                            const std::string& reason, int64_t at_s) {
  auto stmt = db_.Cached(
      "INSERT INTO access_cuts (user_id, device_id, reason, at_s) VALUES (?1, ?2, ?3, ?4)");
  stmt->Bind(1, user).Bind(2, device).Bind(3, reason).Bind(4, at_s);
  if (stmt->Run() == Statement::StepResult::kConstraint) {
    throw StoreFailure("access cut of " + user + " (" + reason + ") violates a constraint");
  }
}

std::vector<AccessCut> AccessCutStore::After(int64_t id, int64_t limit) {
  auto stmt = db_.Cached(
      "SELECT id, user_id, device_id, reason, at_s FROM access_cuts WHERE id > ?1 "
      "ORDER BY id LIMIT ?2");
  stmt->Bind(1, id).Bind(2, limit);
  std::vector<AccessCut> cuts;
  while (stmt->Step() == Statement::StepResult::kRow) {
    cuts.push_back({stmt->Int(0), stmt->Text(1), stmt->Text(2), stmt->Text(3), stmt->Int(4)});
  }
  return cuts;
}

int64_t AccessCutStore::LastIdBefore(int64_t at_s) {
  auto stmt = db_.Cached("SELECT coalesce(max(id), 0) FROM access_cuts WHERE at_s < ?1");
  stmt->Bind(1, at_s);
  stmt->Step();
  return stmt->Int(0);
}

}  // namespace chat
