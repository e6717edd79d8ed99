// TokenRegistry over the chat database that chatd and chatctl write.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>

#include "token_registry.h"

namespace chat::plugin {

// One read-only SQLite connection, opened on the first Check (so the broker
// may start before the database exists) and one prepared statement: a
// primary-key lookup of the jti joined with its device and user. Fails closed:
// when the file cannot be opened or queried the answer is kUnavailable, and
// the connection is dropped so the next Check reopens it. Nothing is cached
// between calls; every Check reads the latest committed state (WAL).
// A lock held by a writer is waited on for at most busy_timeout_ms, since
// Check runs on the broker's only thread. Not thread-safe: broker thread only.
class SqliteTokenRegistry final : public TokenRegistry {
 public:
  explicit SqliteTokenRegistry(std::string db_path, int busy_timeout_ms = 250);

  Registration Check(std::string_view jti, std::string_view user, std::string_view device) override;

 private:
  struct DbCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  struct StmtFinalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };

  // Opens the connection and prepares the lookup; on failure returns the error.
  std::string Open();
  void Close();

  std::string db_path_;
  int busy_timeout_ms_;
  std::unique_ptr<sqlite3, DbCloser> db_;
  std::unique_ptr<sqlite3_stmt, StmtFinalizer> lookup_;  // destroyed before db_
};

}  // namespace chat::plugin
