// The write path: one batch from the queue to the broker.
#include "chatd/writer.h"

#include <spdlog/spdlog.h>

#include "chat/clock.h"
#include "chatd/group_handler.h"
#include "chatd/privacy_handler.h"
#include "chatd/push_handler.h"
#include "chatd/send_handler.h"

namespace chat {

Writer::Writer(Database& db, BlockingQueue<Command>& writes, Publish publish, WriterOptions options)
    : db_(db),
      writes_(writes),
      publish_(std::move(publish)),
      options_(std::move(options)),
      conversations_(db),
      messages_(db),
      group_requests_(db),
      presence_(db),
      privacy_(db),
      push_(db),
      prefetch_(conversations_, messages_, privacy_, push_) {}

void Writer::Run(const std::atomic<bool>& stop) {
  while (true) {
    if (!WriteBatch(std::chrono::milliseconds(100)) && stop) return;
  }
}

bool Writer::WriteBatch(std::chrono::milliseconds wait) {
  std::vector<Command> commands = writes_.PopBatch(options_.max_batch, wait);
  if (commands.empty()) return false;

  // Apply every command in one transaction: BEGIN IMMEDIATE ... COMMIT.
  out_.Clear();
  audience_changed_.clear();
  BatchStats stats;
  WriteContext ctx{conversations_,    messages_, group_requests_,   privacy_, push_,
                   options_.presence, out_,      audience_changed_, stats,    options_.limits};
  struct ForgetAtEnd {
    BatchPrefetch& prefetch;
    ~ForgetAtEnd() { prefetch.Forget(); }
  } forget_at_end{prefetch_};
  try {
    Transaction txn(db_);
    prefetch_.Load(commands, NowMillis());
    ReceiptHandler receipts;  // coalesces the batch's cursor moves
    for (const Command& command : commands) {
      if (!BatchPrefetch::Keeps(command)) prefetch_.Forget();
      Apply(ctx, receipts, command);
    }
    receipts.Flush(ctx);
    txn.Commit();
  } catch (const StoreFailure& failure) {
    // A database server that went away is not this batch's fault: chatd
    // stops (its thread fails), the service manager starts it again, or a
    // standby takes over; the senders resend what was not accepted.
    if (db_.Lost()) throw;
    // Rolled back: none of the batch's copies may leave; every sender hears.
    spdlog::error("batch of {} commands rolled back: {}", commands.size(), failure.what());
    out_.Clear();
    audience_changed_.clear();
    stats = {};
    for (const Command& command : commands) {
      RejectCommand(ctx, command, ErrorCode::kInternal, "the server could not store this; retry");
    }
  }

  // Committed (or rejected): encode and publish the batch's copies, but for
  // the large conversations' live copies, which the paced lane publishes.
  options_.paced.Take(out_);
  std::size_t oversize = 0;
  for (const std::string& payload :
       out_.Encode(1000, protocol::kMaxServicePayloadBytes, &oversize)) {
    publish_(payload);
  }
  // Committed, so devices still get it by sync; live copies are impossible.
  if (oversize > 0) {
    spdlog::error(
        "batch: {} events larger than the broker's packet limit ({} bytes) were not "
        "published; devices get them by sync",
        oversize, protocol::kMaxPacketBytes);
  }
  spdlog::debug("batch: {} commands, {} accepted, {} duplicates, {} rejected", commands.size(),
                stats.accepted, stats.duplicates, stats.rejected);
  if (!audience_changed_.empty() && options_.audience_changed) {
    options_.audience_changed(std::move(audience_changed_));
    audience_changed_.clear();
  }
  if (options_.after_batch) options_.after_batch();
  return true;
}

void Writer::Apply(WriteContext& ctx, ReceiptHandler& receipts, const Command& command) {
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
        } else if constexpr (std::is_same_v<T, BlockCommand>) {
          HandleBlock(ctx, command, body);
        } else if constexpr (std::is_same_v<T, MuteCommand>) {
          HandleMute(ctx, command, body);
        } else if constexpr (std::is_same_v<T, SettingsSetCommand>) {
          HandleSettingsSet(ctx, command, body);
        } else if constexpr (std::is_same_v<T, PushRegisterCommand>) {
          HandlePushRegister(ctx, command, body);
        } else if constexpr (std::is_same_v<T, PushUnregisterCommand>) {
          HandlePushUnregister(ctx, command);
        } else if constexpr (std::is_same_v<T, CursorCommand>) {
          receipts.Handle(ctx, command, body);
        } else if constexpr (std::is_same_v<T, LastSeenCommand>) {
          // From chatd itself: no reply.
          for (const auto& [user, seen_ms] : body.seen) presence_.SaveLastSeen(user, seen_ms);
        } else if constexpr (std::is_same_v<T, RejectedCommand>) {
          RejectCommand(ctx, command, body.code, body.message);
        } else {
          // Queries are answered by the QueryService; reaching here is a bug.
          RejectCommand(ctx, command, ErrorCode::kInternal, "query routed to the writer");
        }
      },
      command.body);
}

}  // namespace chat
