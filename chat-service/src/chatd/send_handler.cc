// Message posting and direct conversations.
#include "chatd/send_handler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "chat/clock.h"
#include "chat/protocol.h"
#include "chat/topics.h"
#include "chatd/events.h"
#include "chatd/push_handler.h"

namespace chat {

namespace {

// Finds or creates the direct conversation; announces a new one.
std::string OpenDirect(WriteContext& ctx, const std::string& a, const std::string& b,
                       bool* created) {
  if (auto existing = ctx.conversations.FindDirect(a, b)) {
    *created = false;
    return *existing;
  }
  std::string conv = ctx.conversations.CreateDirect(a, b, NowMillis());
  *created = true;
  ctx.audience_changed.push_back(a);  // a and b now share a conversation
  ConversationInfo info = ctx.conversations.Info(conv);
  std::string event = EncodeConversationNew(info);
  for (const std::string& member : info.members) ctx.out.AddOne(InboxTopic(member), event);
  spdlog::info("created direct conversation {} for {} and {}", conv, a, b);
  return conv;
}

// The other member of a direct conversation among its `members`.
std::string DirectPartner(const std::vector<std::string>& members, const std::string& user) {
  for (const std::string& member : members) {
    if (member != user) return member;
  }
  return "";
}

void RejectBlocked(WriteContext& ctx, const Command& command, const std::string& partner) {
  RejectCommand(ctx, command, ErrorCode::kBlocked,
                "'" + command.sender.user + "' and '" + partner + "' cannot write to each other");
}

}  // namespace

// The reads on this path are few on purpose (one each: the conversation's
// kind, its members, the dedupe lookup, the block check of a direct
// conversation, the seq, the sender's devices, the push targets): on
// PostgreSQL each is a round trip. For a send (but one that opens a conversation) the
// batch has read them all ahead (chatd/batch_prefetch.h), and the writes go
// out deferred: then a send makes no round trip of its own.
void HandleSend(WriteContext& ctx, const Command& command, const SendCommand& send) {
  const std::string& sender = command.sender.user;
  std::string conv = send.conv;
  std::string partner = send.to;                    // the other side of a direct conversation
  std::optional<std::vector<std::string>> members;  // active members, once loaded
  if (!send.to.empty()) {
    if (!ctx.conversations.IsActiveUser(send.to)) {
      return RejectCommand(ctx, command, ErrorCode::kUnknownUser, "no user '" + send.to + "'");
    }
    conv = ctx.conversations.FindDirect(sender, send.to).value_or("");
  } else if (std::string kind = ctx.conversations.Kind(conv); kind.empty()) {
    return RejectCommand(ctx, command, ErrorCode::kUnknownConversation,
                         "no conversation '" + conv + "'");
  } else {
    members = ctx.conversations.ActiveMembers(conv);
    if (std::find(members->begin(), members->end(), sender) == members->end()) {
      return RejectCommand(ctx, command, ErrorCode::kNotMember, "not a member of '" + conv + "'");
    }
    // A group's members may block each other: a block does not silence a group.
    partner = kind == protocol::kind::kDirect ? DirectPartner(*members, sender) : "";
  }

  // A resend of a message stored before a block is still answered as such.
  if (auto prior =
          conv.empty() ? std::nullopt : ctx.messages.FindByClientId(conv, sender, send.cmid)) {
    ++ctx.stats.duplicates;
    spdlog::debug("duplicate {}/{} cmid={} -> {}#{}", sender, command.sender.device, send.cmid,
                  conv, prior->seq);
    ctx.out.AddOne(DeviceTopic(sender, command.sender.device),
                   EncodeAccepted(*prior, command.req_id, true, !send.to.empty()));
    return;
  }
  if (!partner.empty() && ctx.privacy.EitherBlocked(sender, partner)) {
    return RejectBlocked(ctx, command, partner);
  }
  if (conv.empty()) {
    bool created = false;
    conv = OpenDirect(ctx, sender, send.to, &created);
  }
  StoredMessage message{conv,      0,         NowMillis(), sender, command.sender.device,
                        send.cmid, send.body, "user",      ""};
  ctx.messages.Append(message);
  ++ctx.stats.accepted;
  spdlog::debug("accepted {}/{} cmid={} -> {}#{}", sender, command.sender.device, send.cmid, conv,
                message.seq);

  // The sending device gets the lean `accepted` (it holds the body); the
  // sender's other devices get the message itself, the recipients its live form.
  std::vector<std::string> recipients =
      members ? std::move(*members) : ctx.conversations.ActiveMembers(conv);
  std::erase(recipients, sender);
  FanOutMessage(ctx, recipients, message);
  FanOutToOtherDevices(ctx, sender, command.sender.device, EncodeMessage(message, EventForm::kOwn));
  ctx.out.AddOne(DeviceTopic(sender, command.sender.device),
                 EncodeAccepted(message, command.req_id, false, !send.to.empty()));
  PlanMessagePushes(ctx, message);
}

void HandleCreateDirect(WriteContext& ctx, const Command& command,
                        const CreateDirectCommand& create) {
  const std::string& sender = command.sender.user;
  if (!ctx.conversations.IsActiveUser(create.with)) {
    return RejectCommand(ctx, command, ErrorCode::kUnknownUser, "no user '" + create.with + "'");
  }
  if (ctx.privacy.EitherBlocked(sender, create.with))
    return RejectBlocked(ctx, command, create.with);
  bool created = false;
  std::string conv = OpenDirect(ctx, sender, create.with, &created);
  ctx.out.AddOne(DeviceTopic(sender, command.sender.device),
                 EncodeConversationReply(ctx.conversations.Info(conv), command.req_id, created,
                                         /*dup=*/false));
}

}  // namespace chat
