// Receipt cursor coalescing and fan-out.
#include "chatd/receipt_handler.h"

#include <algorithm>

#include "chatd/events.h"

namespace chat {

void ReceiptHandler::Handle(WriteContext& ctx, const Command& command,
                            const CursorCommand& cursor) {
  if (ctx.conversations.Kind(cursor.conv).empty()) {
    return RejectCommand(ctx, command, ErrorCode::kUnknownConversation,
                         "no conversation '" + cursor.conv + "'");
  }
  auto member = ctx.conversations.MembershipOf(cursor.conv, command.sender.user);
  if (!member) {
    return RejectCommand(ctx, command, ErrorCode::kNotMember,
                         "not a member of '" + cursor.conv + "'");
  }
  // A marker may arrive before the messages it covers: clamp, never fail.
  int64_t seq = std::min(cursor.seq, member->VisibleUpTo(ctx.conversations.LastSeq(cursor.conv)));
  Pending& p = pending_[{cursor.conv, command.sender.user}];
  if (cursor.read) {
    p.read = std::max(p.read, seq);
    p.delivered = std::max(p.delivered, seq);  // read implies delivered
  } else {
    p.delivered = std::max(p.delivered, seq);
  }
  int64_t& device = p.devices[command.sender.device];
  device = std::max(device, p.delivered);
}

void ReceiptHandler::Flush(WriteContext& ctx) {
  for (const auto& [key, p] : pending_) {
    const auto& [conv, user] = key;
    for (const auto& [device, seq] : p.devices) {
      ctx.conversations.AdvanceDeviceDelivered(conv, user, device, seq);
    }
    bool moved = ctx.conversations.AdvanceDelivered(conv, user, p.delivered);
    moved = ctx.conversations.AdvanceRead(conv, user, p.read) || moved;
    if (!moved) continue;
    auto now = ctx.conversations.MembershipOf(conv, user);
    FanOutToUsers(ctx, ctx.conversations.ActiveMembers(conv), conv,
                  EncodeReceipt(conv, user, now->delivered_seq, now->read_seq));
  }
  pending_.clear();
}

}  // namespace chat
