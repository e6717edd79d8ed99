// The outbox table: the client's SQL for pending sends.
#include "outbox.h"

#include <sqlite3.h>

namespace chat::client {

SendRequest ToSendRequest(const OutboxEntry& entry) {
  SendRequest request{entry.to, entry.conv, entry.body, entry.cmid, {}};
  if (!entry.req_id.empty()) request.req_id = entry.req_id;
  return request;
}

Outbox::Outbox(Database& db)
    : db_(db),
      insert_(db.Prepare("INSERT INTO outbox(cmid, conv, to_user, body, req_id, created_ms) "
                         "VALUES(?, ?, ?, ?, ?, ?)")),
      remove_(db.Prepare("DELETE FROM outbox WHERE cmid = ?")),
      select_all_(db.Prepare("SELECT id, cmid, conv, to_user, body, req_id, created_ms "
                             "FROM outbox ORDER BY id")) {}

Outbox::Added Outbox::Add(OutboxEntry& entry) {
  insert_.Bind(1, entry.cmid)
      .Bind(2, entry.conv)
      .Bind(3, entry.to)
      .Bind(4, entry.body)
      .Bind(5, entry.req_id)
      .Bind(6, entry.created_ms);
  if (insert_.Run() == Statement::StepResult::kConstraint) return Added::kAlreadyThere;
  entry.id = sqlite3_last_insert_rowid(db_.sqlite_handle());
  return Added::kAdded;
}

bool Outbox::Remove(std::string_view cmid) {
  remove_.Bind(1, cmid).Run();
  return db_.Changes() > 0;
}

std::vector<OutboxEntry> Outbox::LoadAll() {
  std::vector<OutboxEntry> entries;
  while (select_all_.Step() == Statement::StepResult::kRow) {
    entries.push_back({select_all_.Int(0), select_all_.Text(1), select_all_.Text(2),
                       select_all_.Text(3), select_all_.Text(4), select_all_.Text(5),
                       select_all_.Int(6)});
  }
  select_all_.Reset();
  return entries;
}

}  // namespace chat::client
