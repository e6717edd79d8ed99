// Schema migrations driven by PRAGMA user_version.
#include "store/migrator.h"

#include <cstdio>

#include "chat/migrations.h"

namespace chat {

namespace {
int UserVersion(Database& db) {
  auto stmt = db.Prepare("PRAGMA user_version");
  stmt.Step();
  return static_cast<int>(stmt.Int(0));
}

bool HasTables(Database& db) {
  auto stmt = db.Prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
  stmt.Step();
  return stmt.Int(0) > 0;
}
}  // namespace

int LatestSchemaVersion() {
  auto all = AllMigrations();
  return all.empty() ? 0 : all.back().version;
}

MigrationReport ApplyMigrations(Database& db) {
  MigrationReport report;
  report.from_version = UserVersion(db);
  report.to_version = report.from_version;
  int latest = LatestSchemaVersion();
  if (report.from_version > latest) {
    throw StoreFailure(db.path() + " has schema version " + std::to_string(report.from_version) +
                       ", newer than this binary knows (" + std::to_string(latest) +
                       "); run a newer release");
  }
  if (report.from_version == latest) return report;
  if (report.from_version > 0 && HasTables(db)) {
    report.backup_path = db.path() + ".v" + std::to_string(report.from_version) + ".bak";
    std::remove(report.backup_path.c_str());
    auto backup = db.Prepare("VACUUM INTO ?1");
    backup.Bind(1, report.backup_path);
    backup.Run();
  }
  for (const Migration& migration : AllMigrations()) {
    if (migration.version <= report.from_version) continue;
    Transaction txn(db);
    // Re-check inside the write lock: another process may have migrated meanwhile.
    if (UserVersion(db) >= migration.version) continue;
    db.Exec(migration.sql);
    db.Exec("PRAGMA user_version = " + std::to_string(migration.version));
    txn.Commit();
    report.to_version = migration.version;
  }
  return report;
}

}  // namespace chat
