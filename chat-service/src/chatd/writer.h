// chatd's single writer: takes batches of parsed write commands off the queue
// (CommandIntake parsed them), applies them in one transaction (group commit)
// and, only after the commit, hands the resulting fan-out to the broker link.
// It is the only thread that writes the database, which makes it the one
// sequencer of every conversation (invariant 2).
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "chat/database.h"
#include "chatd/command.h"
#include "chatd/command_queue.h"

namespace chat {

struct WriterOptions {
  CommandLimits limits;
  std::size_t max_batch = 512;
  // Runs on the writer thread after each batch's fan-out is handed to the
  // broker link, outside any transaction (chatd finishes WAL checkpoints
  // there: chat/wal_checkpointer.h).
  std::function<void()> after_batch;
};

class Writer {
 public:
  using Publish = std::function<bool(const std::string& control_payload)>;

  Writer(Database& db, BlockingQueue<Command>& writes, Publish publish, WriterOptions options);
  // Runs until `stop` is set and the queue is drained. Call on the writer thread.
  void Run(const std::atomic<bool>& stop);

 private:
  Database& db_;
  BlockingQueue<Command>& writes_;
  Publish publish_;
  WriterOptions options_;
};

}  // namespace chat
