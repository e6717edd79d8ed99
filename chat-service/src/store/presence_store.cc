// Last seen times.
#include "store/presence_store.h"

namespace chat {

void PresenceStore::SaveLastSeen(const std::string& user, int64_t seen_ms) {
  auto stmt = db_.Cached(
      "INSERT INTO last_seen (user_id, seen_ms) VALUES (?1, ?2) "
      "ON CONFLICT (user_id) DO UPDATE SET seen_ms = excluded.seen_ms "
      "WHERE excluded.seen_ms > last_seen.seen_ms");
  stmt->Bind(1, user);
  stmt->Bind(2, seen_ms);
  stmt->Step();
}

std::optional<int64_t> PresenceStore::LastSeen(const std::string& user) {
  auto stmt = db_.Cached("SELECT seen_ms FROM last_seen WHERE user_id = ?1");
  stmt->Bind(1, user);
  if (stmt->Step() != Statement::StepResult::kRow) return std::nullopt;
  return stmt->Int(0);
}

}  // namespace chat
