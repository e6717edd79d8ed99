// TokenRegistry over the chat database that chatd and chatctl write.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <memory>
#include <string>

#include "chat/status.h"
#include "token_registry.h"

namespace chat::plugin {

// One read-only SQLite connection, opened on the first Check (so the broker
// may start before the database exists), and prepared statements: a
// primary-key lookup of the jti joined with its device and user, and the
// BEGIN and COMMIT around a snapshot. Fails closed:
// when the file cannot be opened or queried the answer is kUnavailable, and
// the connection is dropped so the next Check reopens it.
//
// Checks share one read snapshot (a WAL read transaction) until EndSnapshot,
// which the plugin calls at the end of every broker loop iteration: a burst
// of connects then pays for one transaction, not one each (taking and
// dropping the WAL read lock was half the cost of a lookup). No lookup uses a
// snapshot older than `max_snapshot_age`, even if EndSnapshot is not called,
// and a refusal read from a shared snapshot is read again from a fresh one, so a
// device provisioned a moment ago connects at once. A lock held by a writer is
// waited on for at most busy_timeout_ms, since Check runs on the broker's only
// thread. Not thread-safe: broker thread only.
class SqliteTokenRegistry final : public TokenRegistry {
 public:
  explicit SqliteTokenRegistry(
      std::string db_path, int busy_timeout_ms = 250,
      std::chrono::milliseconds max_snapshot_age = std::chrono::milliseconds(50));

  Registration Check(std::string_view jti, std::string_view user, std::string_view device) override;
  // Ends the shared snapshot; the next Check reads the latest committed state.
  void EndSnapshot() override;

 private:
  struct DbCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  struct StmtFinalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };
  using Statement = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

  // Opens the connection and prepares the statements.
  Status Open();
  Status Prepare(std::string_view sql, Statement& out);
  void Close();
  // Starts a snapshot unless one younger than max_snapshot_age is open.
  Status EnsureSnapshot();
  // One lookup inside the current snapshot.
  Registration Lookup(std::string_view jti, std::string_view user, std::string_view device);

  std::string db_path_;
  int busy_timeout_ms_;
  std::chrono::milliseconds max_snapshot_age_;
  std::unique_ptr<sqlite3, DbCloser> db_;
  // Destroyed before db_.
  Statement begin_;
  Statement commit_;
  Statement lookup_;
  bool in_snapshot_ = false;
  std::chrono::steady_clock::time_point snapshot_started_;
  int lookups_in_snapshot_ = 0;  // a refusal is read again only if earlier ones shared it
};

}  // namespace chat::plugin
