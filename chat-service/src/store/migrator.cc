// Schema migrations: SQLite keeps its version in PRAGMA user_version,
// PostgreSQL in the table schema_version.
#include "store/migrator.h"

#include <cstdio>

#include "chat/migrations.h"

namespace chat {

namespace {
SchemaDialect DialectOf(Database& db) {
  return db.engine() == Database::Engine::kPostgres ? SchemaDialect::kPostgres
                                                    : SchemaDialect::kSqlite;
}

// Any number will do, as long as nothing else in the database uses it: the
// advisory lock that makes concurrent migrators take turns.
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(7403915)";

int SchemaVersion(Database& db) {
  if (db.engine() == Database::Engine::kPostgres) {
    auto stmt = db.Prepare("SELECT coalesce(max(version), 0) FROM schema_version");
    stmt.Step();
    return static_cast<int>(stmt.Int(0));
  }
  auto stmt = db.Prepare("PRAGMA user_version");
  stmt.Step();
  return static_cast<int>(stmt.Int(0));
}

void RecordVersion(Database& db, int version) {
  if (db.engine() == Database::Engine::kPostgres) {
    auto stmt = db.Prepare("INSERT INTO schema_version (version) VALUES (?1)");
    stmt.Bind(1, int64_t{version});
    stmt.Run();
    return;
  }
  db.Exec("PRAGMA user_version = " + std::to_string(version));
}

bool HasSqliteTables(Database& db) {
  auto stmt = db.Prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
  stmt.Step();
  return stmt.Int(0) > 0;
}
}  // namespace

int LatestSchemaVersion() {
  // Both dialects carry the same numbers (store_conformance_test checks it).
  auto all = AllMigrations(SchemaDialect::kSqlite);
  return all.empty() ? 0 : all.back().version;
}

MigrationReport ApplyMigrations(Database& db) {
  if (db.engine() == Database::Engine::kPostgres) {
    Transaction txn(db);
    db.Exec(kMigrationLock);
    db.Exec("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)");
    txn.Commit();
  }
  MigrationReport report;
  report.from_version = SchemaVersion(db);
  report.to_version = report.from_version;
  int latest = LatestSchemaVersion();
  if (report.from_version > latest) {
    throw StoreFailure(db.path() + " has schema version " + std::to_string(report.from_version) +
                       ", newer than this binary knows (" + std::to_string(latest) +
                       "); run a newer release");
  }
  if (report.from_version == latest) return report;
  // PostgreSQL is backed up by its operators' own means (pg_dump, base
  // backups); a SQLite file gets a copy beside it.
  if (db.engine() == Database::Engine::kSqlite && report.from_version > 0 && HasSqliteTables(db)) {
    report.backup_path = db.path() + ".v" + std::to_string(report.from_version) + ".bak";
    std::remove(report.backup_path.c_str());
    auto backup = db.Prepare("VACUUM INTO ?1");
    backup.Bind(1, report.backup_path);
    backup.Run();
  }
  for (const Migration& migration : AllMigrations(DialectOf(db))) {
    if (migration.version <= report.from_version) continue;
    Transaction txn(db);
    if (db.engine() == Database::Engine::kPostgres) db.Exec(kMigrationLock);
    // Re-check inside the write lock: another process may have migrated meanwhile.
    if (SchemaVersion(db) >= migration.version) continue;
    db.Exec(migration.sql);
    RecordVersion(db, migration.version);
    txn.Commit();
    report.to_version = migration.version;
  }
  return report;
}

}  // namespace chat
