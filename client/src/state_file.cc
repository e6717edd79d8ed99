// The state file's schema (version 1) and its ownership check.
#include "state_file.h"

namespace chat::client {
namespace {

constexpr int kSchemaVersion = 1;

// Version 1. `outbox.id` keeps the order of Send calls; `cmid` is unique so
// that one send can never be stored twice.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE IF NOT EXISTS outbox (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  cmid       TEXT    NOT NULL UNIQUE,
  conv       TEXT    NOT NULL DEFAULT '',
  to_user    TEXT    NOT NULL DEFAULT '',
  body       TEXT    NOT NULL,
  req_id     TEXT    NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS cursors (
  conv TEXT    PRIMARY KEY,
  seq  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
)sql";

int64_t UserVersion(Database& db) {
  Statement version = db.Prepare("PRAGMA user_version");
  return version.Step() == Statement::StepResult::kRow ? version.Int(0) : 0;
}

void CheckOwner(Database& db, const std::string& owner) {
  Statement insert = db.Prepare("INSERT OR IGNORE INTO meta(key, value) VALUES('owner', ?)");
  insert.Bind(1, owner).Run();
  Statement select = db.Prepare("SELECT value FROM meta WHERE key = 'owner'");
  if (select.Step() != Statement::StepResult::kRow) {
    throw StoreFailure(db.path() + ": state file has no owner");
  }
  std::string recorded = select.Text(0);
  if (recorded != owner) {
    throw StoreFailure(db.path() + ": state file belongs to " + recorded + ", not " + owner);
  }
}

}  // namespace

Database OpenStateFile(const std::string& path, const std::string& owner) {
  Database db = Database::Open(path.empty() ? ":memory:" : path);
  Transaction transaction(db);
  int64_t version = UserVersion(db);
  if (version > kSchemaVersion) {
    throw StoreFailure(db.path() + ": state file schema " + std::to_string(version) +
                       " is newer than this library's (" + std::to_string(kSchemaVersion) + ")");
  }
  if (version < kSchemaVersion) {
    db.Exec(kSchemaV1);
    db.Exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
  }
  CheckOwner(db, owner);
  transaction.Commit();
  return db;
}

}  // namespace chat::client
