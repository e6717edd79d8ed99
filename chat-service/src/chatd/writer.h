// chatd's single writer: takes batches of raw commands off the queue, parses
// them, applies them in one transaction (group commit) and, only after the
// commit, hands the resulting fan-out to the broker link. It is the only
// thread that touches the database, which makes it the one sequencer of
// every conversation (invariant 2).
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "chatd/command.h"
#include "chatd/command_queue.h"
#include "chat/database.h"

namespace chat {

struct WriterOptions {
  CommandLimits limits;
  std::size_t max_batch = 512;
};

class Writer {
 public:
  using Publish = std::function<bool(const std::string& control_payload)>;

  Writer(Database& db, CommandQueue& queue, Publish publish, WriterOptions options);
  // Runs until `stop` is set and the queue is drained. Call on the writer thread.
  void Run(const std::atomic<bool>& stop);

 private:

  Database& db_;
  CommandQueue& queue_;
  Publish publish_;
  WriterOptions options_;
};

}  // namespace chat
