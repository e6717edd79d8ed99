// Takes WAL checkpoints off a writer's thread. SQLite's automatic checkpoint
// runs inside the COMMIT that crosses its threshold, so the writer would stop
// to copy pages into the database file and sync it, and every message waiting
// behind that commit would wait too. The checkpointer turns the writer's
// automatic checkpoint off and runs passive checkpoints on its own thread and
// connection instead. Durability is unchanged: every commit still syncs the
// WAL (synchronous=FULL); a checkpoint only moves committed pages home.
//
// A WAL only starts again from its beginning when a write begins while every
// frame in it has been copied home. Under steady load the writer commits
// again before the checkpointer's thread catches up, so on its own the WAL
// would never restart: the file would grow, and the checkpointer would run
// back to back. The writer therefore finishes a checkpoint that is nearly
// done itself, between two batches (FinishOnWriterThread), and the next
// write restarts the WAL.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "chat/database.h"

namespace chat {

struct WalCheckpointerOptions {
  // A WAL of this many frames (pages) is due for a checkpoint; SQLite's own
  // default threshold is 1000.
  int frames_wanted = 1000;
  // A due WAL with at most this many frames not yet copied home is finished
  // by the writer (FinishOnWriterThread); with more, the checkpointer's
  // thread copies them.
  int frames_finish = 256;
  // Past this many frames the writer checkpoints inline in its commit, as
  // SQLite would, so the WAL stays bounded even if the checkpointer falls
  // behind.
  int frames_inline = 64000;
  // A checkpoint also runs after this long without one if anything was
  // committed, so an idle database ends up fully checkpointed.
  std::chrono::milliseconds idle_period{1000};
};

class WalCheckpointer {
 public:
  // `writer` must be a read-write connection in WAL mode that outlives this
  // object. Installs a commit hook on it; call from the writer's thread before
  // it starts writing, or before that thread exists.
  WalCheckpointer(Database& writer, WalCheckpointerOptions options = {});
  ~WalCheckpointer();  // stops the thread and removes the hook
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Call on the writer's thread between transactions (after a batch's
  // results are handed on, so nobody waits for it). Copies the last frames
  // home if the WAL is due and nearly checkpointed; a no-op otherwise.
  void FinishOnWriterThread();

  // Checkpoints that ran on the checkpointer's thread, ones the writer
  // finished, inline ones, and how often the WAL started again from its
  // beginning.
  int64_t checkpoints() const;
  int64_t finished_checkpoints() const;
  int64_t inline_checkpoints() const;
  int64_t restarts() const;

 private:
  static int OnCommit(void* self, sqlite3* db, const char* schema, int frames);
  // Runs a passive checkpoint on `db`, records how far it got and counts it
  // in `counter` (one of the counters below).
  void Checkpoint(sqlite3* db, int64_t& counter);
  bool FinishDue() const;  // callers hold mutex_
  void Run();

  Database& writer_;
  WalCheckpointerOptions options_;
  Database own_;  // the checkpointer thread's connection
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool wanted_ = false;
  bool running_ = false;    // a checkpoint is under way on the thread
  int wal_frames_ = 0;      // frames in the WAL after the last commit
  int copied_frames_ = 0;   // of those, copied home by a checkpoint
  int64_t generation_ = 0;  // WAL restarts seen by the commit hook
  int64_t commits_since_checkpoint_ = 0;
  int64_t checkpoints_ = 0;
  int64_t finished_checkpoints_ = 0;
  int64_t inline_checkpoints_ = 0;
  std::thread thread_;
};

}  // namespace chat
