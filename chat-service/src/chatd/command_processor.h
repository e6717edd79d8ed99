// Applies parsed commands to the store and decides what every device gets.
// Runs on chatd's writer thread only; one call = one transaction (group commit).
#pragma once

#include <vector>

#include "chatd/command.h"
#include "chatd/fanout_batch.h"
#include "chat/database.h"
#include "store/message_store.h"

namespace chat {

struct BatchStats {
  int accepted = 0;    // new messages stored
  int duplicates = 0;  // resends answered with the original seq
  int rejected = 0;    // commands answered with an error
};

class CommandProcessor {
 public:
  CommandProcessor(Database& db, MessageStore& store);

  // Processes `commands` in one write transaction and appends to `out` the
  // events to publish once it has committed. If the transaction fails,
  // nothing is stored and every command gets an `internal` error instead.
  BatchStats ProcessBatch(const std::vector<Command>& commands, FanoutBatch& out);

 private:
  void Handle(const Command& command, const SendCommand& send, FanoutBatch& out,
              BatchStats& stats);
  void Handle(const Command& command, const CreateDirectCommand& create, FanoutBatch& out,
              BatchStats& stats);
  void Handle(const Command& command, const RejectedCommand& rejected, FanoutBatch& out,
              BatchStats& stats);
  void Reject(const Command& command, ErrorCode code, const std::string& message,
              FanoutBatch& out, BatchStats& stats);
  // Finds or creates the direct conversation; announces a new one in `out`.
  std::string OpenDirect(const std::string& a, const std::string& b, FanoutBatch& out,
                         bool* created);

  Database& db_;
  MessageStore& store_;
};

}  // namespace chat
