// The schema migrations compiled from schema/NNN_*.sql, in ascending order,
// in SQLite's dialect and in PostgreSQL's (schema/CMakeLists.txt says how
// the second is made). Version N means the same tables on either engine.
#pragma once

#include <span>

namespace chat {

enum class SchemaDialect { kSqlite, kPostgres };

struct Migration {
  int version;       // NNN of the file name
  const char* name;  // the file name, for logs
  const char* sql;
};

std::span<const Migration> AllMigrations(SchemaDialect dialect);

}  // namespace chat
