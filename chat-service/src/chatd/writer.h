// chatd's write path, whole: the single writer takes batches of parsed write
// commands off its queue, applies each batch in one transaction (group
// commit), and only after the COMMIT hands the batch's fan-out to the broker
// link (PROTOCOL.md section 8.2: nothing is published before its commit).
// It is the only thread that writes the database, which makes it the one
// sequencer of every conversation.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "chat/database.h"
#include "chatd/batch_prefetch.h"
#include "chatd/command.h"
#include "chatd/command_queue.h"
#include "chatd/fanout_batch.h"
#include "chatd/paced_lane.h"
#include "chatd/receipt_handler.h"
#include "chatd/write_context.h"
#include "store/conversation_store.h"
#include "store/group_request_store.h"
#include "store/message_store.h"
#include "store/presence_store.h"
#include "store/privacy_store.h"

namespace chat {

struct WriterOptions {
  CommandLimits limits;
  std::size_t max_batch = 512;
  // Runs on the writer thread after each batch's fan-out is handed to the
  // broker link, outside any transaction (chatd finishes WAL checkpoints
  // there: chat/wal_checkpointer.h).
  std::function<void()> after_batch;
  // Runs on the writer thread after a commit with the users whose presence
  // audience the batch may have changed (WriteContext::audience_changed).
  std::function<void(std::vector<std::string> users)> audience_changed;
  // Who is connected, so that pushes go only to devices that are not
  // (push_handler.h); null: nobody is. Must outlive the Writer.
  const PresenceView* presence = nullptr;
  // Where large conversations' live copies go (chatd/paced_lane.h); by
  // default they leave with the rest of the batch.
  PacedRoute paced;
};

// Threads: constructed on any thread; from then on everything (the stores,
// the fan-out being built, `db`) belongs to the thread that calls Run or
// WriteBatch, the writer thread.
class Writer {
 public:
  using Publish = std::function<void(const std::string& control_payload)>;

  Writer(Database& db, BlockingQueue<Command>& writes, Publish publish, WriterOptions options);

  // Writes batches until `stop` is set and the queue is drained.
  void Run(const std::atomic<bool>& stop);
  // Takes the write commands queued now (waiting up to `wait` for the
  // first), writes them as one batch and publishes what devices get. If the
  // transaction fails, nothing is stored and every command of the batch gets
  // an `internal` error instead. Returns false if no command came.
  bool WriteBatch(std::chrono::milliseconds wait);

 private:
  // Hands one command to its handler, inside the batch's transaction.
  void Apply(WriteContext& ctx, ReceiptHandler& receipts, const Command& command);

  Database& db_;
  BlockingQueue<Command>& writes_;
  Publish publish_;
  WriterOptions options_;
  ConversationStore conversations_;
  MessageStore messages_;
  GroupRequestStore group_requests_;
  PresenceStore presence_;
  PrivacyStore privacy_;
  PushStore push_;
  BatchPrefetch prefetch_;                     // over the stores above
  FanoutBatch out_;                            // the current batch's copies, reused
  std::vector<std::string> audience_changed_;  // the current batch's, reused
};

}  // namespace chat
