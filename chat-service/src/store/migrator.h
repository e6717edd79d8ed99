// Brings a database to the schema this binary was built with.
#pragma once

#include "chat/database.h"

namespace chat {

struct MigrationReport {
  int from_version = 0;
  int to_version = 0;
  std::string backup_path;  // set when an existing database was copied first
};

// Applies every migration newer than the database's schema version (SQLite:
// PRAGMA user_version; PostgreSQL: the table schema_version), each in its
// own transaction together with the version bump; concurrent migrators take
// turns. Before upgrading a SQLite file that already has data, writes a
// consistent copy to "<path>.v<N>.bak". Throws StoreFailure when the
// database's schema is newer than this binary knows.
MigrationReport ApplyMigrations(Database& db);

// The newest schema version compiled into this binary.
int LatestSchemaVersion();

}  // namespace chat
