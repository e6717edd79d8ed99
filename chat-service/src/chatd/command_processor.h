// Applies a batch of write commands to the store in one transaction (group
// commit) and decides what every device gets. Writer thread only.
#pragma once

#include <vector>

#include "chat/database.h"
#include "chatd/command.h"
#include "chatd/fanout_batch.h"
#include "chatd/write_context.h"
#include "store/conversation_store.h"
#include "store/group_request_store.h"
#include "store/message_store.h"

namespace chat {

class CommandProcessor {
 public:
  CommandProcessor(Database& db, CommandLimits limits);

  // Processes `commands` (no queries) in one write transaction and appends
  // to `out` the events to publish once it has committed. If the
  // transaction fails, nothing is stored and every command gets an
  // `internal` error instead.
  BatchStats ProcessBatch(const std::vector<Command>& commands, FanoutBatch& out);

 private:
  void Apply(WriteContext& ctx, const std::vector<Command>& commands);

  Database& db_;
  CommandLimits limits_;
  ConversationStore conversations_;
  MessageStore messages_;
  GroupRequestStore group_requests_;
};

}  // namespace chat
