// The schema migrations compiled from schema/NNN_*.sql, in ascending order.
#pragma once

#include <span>

namespace chat {

struct Migration {
  int version;       // NNN of the file name; becomes PRAGMA user_version
  const char* name;  // the file name, for logs
  const char* sql;
};

std::span<const Migration> AllMigrations();

}  // namespace chat
