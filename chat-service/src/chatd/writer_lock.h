// The one-writer lock of a database. chatd holds it for as long as it runs,
// so a second chatd started on the same database (a standby) waits, and
// takes over the moment the first one is gone, however it ends (kill -9
// included). No two chatd ever assign a `seq` in the same database
// (docs/ARCHITECTURE.md, "A standby chatd"). The lock is the store's own:
//
// - SQLite: flock(2) on `<db_path>.writer.lock`, next to the database; the
//   kernel releases it with the process. It needs a local file system (flock
//   over NFS is not reliable), as SQLite does.
// - PostgreSQL: a session advisory lock taken on the writer's own
//   connection, so the lock and the writes end together: a chatd whose
//   connection is gone can neither write nor hold the lock.
#pragma once

#include <memory>
#include <string>

#include "chat/database.h"

namespace chat {

class WriterLock {
 public:
  // The lock of `db`'s database; throws std::runtime_error naming what it
  // could not open.
  static std::unique_ptr<WriterLock> For(Database& db);
  virtual ~WriterLock() = default;

  // Takes the lock if nobody holds it (never waits). `db` is the connection
  // For() was given, which will write once the lock is taken.
  virtual bool TryAcquire(Database& db) = 0;
  // Who holds it, for a standby's log ("pid 1234"; "unknown").
  virtual std::string holder(Database& db) = 0;
  // What the lock is, for logs.
  virtual std::string name() const = 0;
};

std::unique_ptr<WriterLock> MakeFileWriterLock(const std::string& db_path);
std::unique_ptr<WriterLock> MakePostgresWriterLock(Database& db);

}  // namespace chat
