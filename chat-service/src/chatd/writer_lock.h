// The one-writer lock of a database. chatd holds it for as long as it runs,
// so a second chatd started on the same database (a standby) waits, and
// takes over the moment the first one is gone, however it ends: the kernel
// releases the lock with the process (kill -9 included). No two chatd ever
// assign a `seq` in the same database (docs/ARCHITECTURE.md, "A standby
// chatd").
//
// The lock is flock(2) on `<db_path>.writer.lock`, next to the database, so
// it is the store's: whoever opens the same file contends for it. It needs a
// local file system (flock over NFS is not reliable), as SQLite does.
#pragma once

#include <string>

namespace chat {

class WriterLock {
 public:
  // Opens (creating) the lock file of the database at `db_path`; throws
  // std::runtime_error naming the file when it cannot.
  explicit WriterLock(const std::string& db_path);
  ~WriterLock();
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

  // Takes the lock if nobody holds it (never waits); the holder's pid is
  // then written into the file, for the standby's log.
  bool TryAcquire();
  // The pid the current holder wrote (0 when unknown).
  long holder_pid() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace chat
