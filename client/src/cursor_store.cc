// The cursors table: the client's SQL for delivered positions.
#include "cursor_store.h"

namespace chat::client {

CursorStore::CursorStore(Database& db)
    : db_(db),
      upsert_(db.Prepare("INSERT INTO cursors(conv, seq) VALUES(?, ?) "
                         "ON CONFLICT(conv) DO UPDATE SET seq = MAX(seq, excluded.seq)")),
      select_all_(db.Prepare("SELECT conv, seq FROM cursors")) {}

std::map<std::string, int64_t> CursorStore::LoadAll() {
  std::map<std::string, int64_t> cursors;
  while (select_all_.Step() == Statement::StepResult::kRow) {
    cursors[select_all_.Text(0)] = select_all_.Int(1);
  }
  select_all_.Reset();
  return cursors;
}

void CursorStore::Save(const std::map<std::string, int64_t>& cursors) {
  if (cursors.empty()) return;
  Transaction transaction(db_);
  for (const auto& [conv, seq] : cursors) upsert_.Bind(1, conv).Bind(2, seq).Run();
  transaction.Commit();
}

}  // namespace chat::client
