// Batch transactions and dispatch to the write-side handlers.
#include "chatd/command_processor.h"

#include <spdlog/spdlog.h>

#include "chatd/group_handler.h"
#include "chatd/message_handler.h"
#include "chatd/receipt_handler.h"

namespace chat {

CommandProcessor::CommandProcessor(Database& db, CommandLimits limits)
    : db_(db), limits_(limits), conversations_(db), messages_(db), group_requests_(db) {}

void CommandProcessor::Apply(WriteContext& ctx, const std::vector<Command>& commands) {
  ReceiptHandler receipts;
  for (const Command& command : commands) {
    std::visit(
        [&](const auto& body) {
          using T = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<T, SendCommand>) {
            HandleSend(ctx, command, body);
          } else if constexpr (std::is_same_v<T, CreateDirectCommand>) {
            HandleCreateDirect(ctx, command, body);
          } else if constexpr (std::is_same_v<T, GroupCreateCommand>) {
            HandleGroupCreate(ctx, command, body);
          } else if constexpr (std::is_same_v<T, GroupChangeCommand>) {
            HandleGroupChange(ctx, command, body);
          } else if constexpr (std::is_same_v<T, CursorCommand>) {
            receipts.Handle(ctx, command, body);
          } else if constexpr (std::is_same_v<T, RejectedCommand>) {
            RejectCommand(ctx, command, body.code, body.message);
          } else {
            // Queries are answered by the QueryService; reaching here is a bug.
            RejectCommand(ctx, command, ErrorCode::kInternal, "query routed to the writer");
          }
        },
        command.body);
  }
  receipts.Flush(ctx);
}

BatchStats CommandProcessor::ProcessBatch(const std::vector<Command>& commands, FanoutBatch& out) {
  BatchStats stats;
  std::size_t first_output = out.size();
  WriteContext ctx{conversations_, messages_, group_requests_, out, stats, limits_};
  try {
    Transaction txn(db_);
    Apply(ctx, commands);
    txn.Commit();
  } catch (const StoreFailure& failure) {
    spdlog::error("batch of {} commands rolled back: {}", commands.size(), failure.what());
    out.Truncate(first_output);
    stats = {};
    for (const Command& command : commands) {
      RejectCommand(ctx, command, ErrorCode::kInternal, "the server could not store this; retry");
    }
  }
  return stats;
}

}  // namespace chat
