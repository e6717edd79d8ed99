// Receipt cursor coalescing and fan-out.
#include "chatd/receipt_handler.h"

#include <algorithm>

#include "chat/protocol.h"
#include "chatd/events.h"
#include "chatd/push_handler.h"

namespace chat {

void ReceiptHandler::Handle(WriteContext& ctx, const Command& command,
                            const CursorCommand& cursor) {
  if (ctx.conversations.Kind(cursor.conv).empty()) {
    return RejectCommand(ctx, command, ErrorCode::kUnknownConversation,
                         "no conversation '" + cursor.conv + "'");
  }
  // A removed member's cursors are frozen: moving them would tell the others
  // about a conversation it no longer belongs to.
  auto member = ctx.conversations.MembershipOf(cursor.conv, command.sender.user);
  if (!member || !member->active()) {
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

namespace {
// A catch-up read over more messages than this tells the senders of the
// newest ones only; the others see it through `receipts`.
constexpr int64_t kMaxMessagesScannedForSenders = 2000;
}  // namespace

std::vector<std::string> ReceiptHandler::Audience(WriteContext& ctx, const std::string& conv,
                                                  const std::string& user, int64_t read_before,
                                                  int64_t delivered_now) {
  std::vector<std::string> users =
      ctx.conversations.Kind(conv) != protocol::kind::kGroup
          ? ctx.conversations.ActiveMembers(conv)
          : ctx.messages.SendersBetween(conv, read_before, delivered_now,
                                        kMaxMessagesScannedForSenders);
  std::erase(users, user);
  // A sender who has left the group since gets nothing more of it.
  std::erase_if(users, [&](const std::string& u) {
    auto member = ctx.conversations.MembershipOf(conv, u);
    return !member || !member->active();
  });
  return users;
}

void ReceiptHandler::Flush(WriteContext& ctx) {
  for (const auto& [key, p] : pending_) {
    const auto& [conv, user] = key;
    auto before = ctx.conversations.MembershipOf(conv, user);
    for (const auto& [device, seq] : p.devices) {
      ctx.conversations.AdvanceDeviceDelivered(conv, user, device, seq);
    }
    bool delivered_moved = ctx.conversations.AdvanceDelivered(conv, user, p.delivered);
    bool read_moved = ctx.conversations.AdvanceRead(conv, user, p.read);
    if (!delivered_moved && !read_moved) continue;
    auto now = ctx.conversations.MembershipOf(conv, user);
    // With read receipts off, the others see `read` as 0 and hear of
    // nothing but delivered moves.
    bool show_read = ctx.privacy.Settings(user).read_receipts;
    if (delivered_moved || show_read) {
      FanOutToUsers(ctx, Audience(ctx, conv, user, before->read_seq, now->delivered_seq), conv,
                    EncodeReceipt(conv, user, now->delivered_seq, show_read ? now->read_seq : 0,
                                  EventForm::kLive));
    }
    // The user's own devices learn it (to clear their unread counts), but
    // not the one device that moved the cursor: it knows.
    std::string cause = p.devices.size() == 1 ? p.devices.begin()->first : std::string();
    FanOutToOtherDevices(
        ctx, user, cause,
        EncodeReceipt(conv, user, now->delivered_seq, now->read_seq, EventForm::kListed));
    if (read_moved) PlanReadPushes(ctx, user, cause, conv, now->read_seq);
  }
  pending_.clear();
}

}  // namespace chat
