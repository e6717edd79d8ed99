// Passive WAL checkpoints on a thread of their own.
#include "chat/wal_checkpointer.h"

namespace chat {

WalCheckpointer::WalCheckpointer(Database& writer, WalCheckpointerOptions options)
    : writer_(writer), options_(options), own_(Database::Open(writer.path())) {
  // After a complete checkpoint the WAL restarts from its beginning; a file
  // grown past 64 MiB by a burst is then cut back to that size.
  writer_.Exec("PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;");
  // A WAL hook replaces SQLite's automatic checkpoint, which is one too.
  sqlite3_wal_hook(writer_.handle(), &WalCheckpointer::OnCommit, this);
  thread_ = std::thread([this] { Run(); });
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_hook(writer_.handle(), nullptr, nullptr);
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

int64_t WalCheckpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

int64_t WalCheckpointer::inline_checkpoints() const {
  std::lock_guard lock(mutex_);
  return inline_checkpoints_;
}

// Called by SQLite on the writer's thread after each commit, with the number
// of frames now in the WAL. Returns SQLITE_OK: the commit itself is done.
int WalCheckpointer::OnCommit(void* self_ptr, sqlite3* db, const char* schema, int frames) {
  auto* self = static_cast<WalCheckpointer*>(self_ptr);
  if (frames >= self->options_.frames_inline) {
    // The checkpointer is far behind (or a reader pins the WAL): do what
    // SQLite's own hook would, so the file stays bounded.
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    std::lock_guard lock(self->mutex_);
    ++self->inline_checkpoints_;
    self->commits_since_checkpoint_ = 0;
    return SQLITE_OK;
  }
  bool wake = false;
  {
    std::lock_guard lock(self->mutex_);
    ++self->commits_since_checkpoint_;
    if (frames >= self->options_.frames_wanted && !self->wanted_) {
      self->wanted_ = true;
      wake = true;
    }
  }
  if (wake) self->wake_.notify_one();
  return SQLITE_OK;
}

void WalCheckpointer::Run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, options_.idle_period, [this] { return stop_ || wanted_; });
    if (stop_) break;
    if (!wanted_ && commits_since_checkpoint_ == 0) continue;
    wanted_ = false;
    commits_since_checkpoint_ = 0;
    lock.unlock();
    // Passive: never waits for the writer or readers; copies what it can.
    // Errors (SQLITE_BUSY from a concurrent inline checkpoint) are retried
    // at the next wake-up.
    sqlite3_wal_checkpoint_v2(own_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
    ++checkpoints_;
  }
}

}  // namespace chat
