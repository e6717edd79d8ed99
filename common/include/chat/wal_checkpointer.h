// Takes WAL checkpoints off a writer's thread. SQLite's automatic checkpoint
// runs inside the COMMIT that crosses its threshold, so the writer would stop
// to copy pages into the database file and sync it, and every message waiting
// behind that commit would wait too. The checkpointer turns the writer's
// automatic checkpoint off and runs passive checkpoints on its own thread and
// connection instead. Durability is unchanged: every commit still syncs the
// WAL (synchronous=FULL); a checkpoint only moves committed pages home.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "chat/database.h"

namespace chat {

struct WalCheckpointerOptions {
  // Ask for a checkpoint once the WAL holds this many frames (pages); SQLite's
  // own default threshold is 1000.
  int frames_wanted = 1000;
  // Past this many frames the writer checkpoints inline, as SQLite would, so
  // the WAL stays bounded even if the checkpointer falls behind.
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

  // Checkpoints that ran on the checkpointer's thread, and inline ones.
  int64_t checkpoints() const;
  int64_t inline_checkpoints() const;

 private:
  static int OnCommit(void* self, sqlite3* db, const char* schema, int frames);
  void Run();

  Database& writer_;
  WalCheckpointerOptions options_;
  Database own_;  // the checkpointer thread's connection
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool wanted_ = false;
  int64_t commits_since_checkpoint_ = 0;
  int64_t checkpoints_ = 0;
  int64_t inline_checkpoints_ = 0;
  std::thread thread_;
};

}  // namespace chat
