// Passive WAL checkpoints on a thread of their own, finished by the writer.
#include "chat/wal_checkpointer.h"

#include <sqlite3.h>

namespace chat {

WalCheckpointer::WalCheckpointer(Database& writer, WalCheckpointerOptions options)
    : writer_(writer), options_(options), own_(Database::Open(writer.path())) {
  // After a complete checkpoint the WAL restarts from its beginning; a file
  // grown past 64 MiB by a burst is then cut back to that size.
  writer_.Exec("PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;");
  // A WAL hook replaces SQLite's automatic checkpoint, which is one too.
  sqlite3_wal_hook(writer_.sqlite_handle(), &WalCheckpointer::OnCommit, this);
  thread_ = std::thread([this] { Run(); });
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_hook(writer_.sqlite_handle(), nullptr, nullptr);
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

int64_t WalCheckpointer::finished_checkpoints() const {
  std::lock_guard lock(mutex_);
  return finished_checkpoints_;
}

int64_t WalCheckpointer::inline_checkpoints() const {
  std::lock_guard lock(mutex_);
  return inline_checkpoints_;
}

int64_t WalCheckpointer::restarts() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

void WalCheckpointer::Checkpoint(sqlite3* db, int64_t& counter) {
  int64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    generation = generation_;
  }
  int log_frames = -1;
  int copied = -1;
  // Passive: never waits for the writer or readers; copies what it can.
  // SQLITE_BUSY (another checkpoint under way) is retried when next due.
  int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied);
  std::lock_guard lock(mutex_);
  ++counter;
  commits_since_checkpoint_ = 0;
  // A restart in between makes the count refer to a WAL that is gone.
  if (rc == SQLITE_OK && generation == generation_ && copied >= 0) copied_frames_ = copied;
}

// Called by SQLite on the writer's thread after each commit, with the number
// of frames now in the WAL. Returns SQLITE_OK: the commit itself is done.
int WalCheckpointer::OnCommit(void* self_ptr, sqlite3* db, const char*, int frames) {
  auto* self = static_cast<WalCheckpointer*>(self_ptr);
  bool wake = false;
  {
    std::lock_guard lock(self->mutex_);
    if (frames < self->wal_frames_) {  // the WAL started again from its beginning
      ++self->generation_;
      self->copied_frames_ = 0;
    }
    self->wal_frames_ = frames;
    ++self->commits_since_checkpoint_;
    int pending = frames - self->copied_frames_;
    if (frames >= self->options_.frames_wanted && pending > self->options_.frames_finish &&
        frames < self->options_.frames_inline && !self->running_ && !self->wanted_) {
      self->wanted_ = true;
      wake = true;
    }
  }
  if (wake) self->wake_.notify_one();
  if (frames >= self->options_.frames_inline) {
    // The checkpointer is far behind (or a reader pins the WAL): do what
    // SQLite's own hook would, so the file stays bounded.
    self->Checkpoint(db, self->inline_checkpoints_);
  }
  return SQLITE_OK;
}

bool WalCheckpointer::FinishDue() const {
  int pending = wal_frames_ - copied_frames_;
  return wal_frames_ >= options_.frames_wanted && !running_ && pending > 0 &&
         pending <= options_.frames_finish;
}

void WalCheckpointer::FinishOnWriterThread() {
  {
    std::lock_guard lock(mutex_);
    if (!FinishDue()) return;
  }
  Checkpoint(writer_.sqlite_handle(), finished_checkpoints_);
}

void WalCheckpointer::Run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, options_.idle_period, [this] { return stop_ || wanted_; });
    if (stop_) break;
    if (!wanted_ && commits_since_checkpoint_ == 0) continue;
    wanted_ = false;
    running_ = true;
    lock.unlock();
    Checkpoint(own_.sqlite_handle(), checkpoints_);
    lock.lock();
    running_ = false;
  }
}

}  // namespace chat
