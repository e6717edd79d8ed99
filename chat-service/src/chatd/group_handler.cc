// Group membership changes as system messages.
#include "chatd/group_handler.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "chat/clock.h"
#include "chat/protocol.h"
#include "chat/token.h"
#include "chat/topics.h"
#include "chatd/events.h"
#include "chatd/group_requests.h"

namespace chat {

namespace {

using json = nlohmann::json;
using Action = GroupChangeCommand::Action;

// Appends a system message and delivers it to `audience` (members after the
// change plus anyone it removed). Returns its seq.
int64_t AppendSystemMessage(WriteContext& ctx, const Command& command, const std::string& conv,
                            const json& event, std::vector<std::string> audience) {
  StoredMessage message{conv,
                        0,
                        NowMillis(),
                        command.sender.user,
                        command.sender.device,
                        "sys:" + NewTokenId(),
                        "",
                        std::string(protocol::kSystemKind),
                        Dump(event)};
  ctx.messages.Append(message);
  ++ctx.stats.accepted;
  spdlog::info("{} in {} by {}: seq {}", event.value("action", ""), conv, command.sender.user,
               message.seq);
  std::sort(audience.begin(), audience.end());
  audience.erase(std::unique(audience.begin(), audience.end()), audience.end());
  FanOutMessage(ctx, audience, message);
  return message.seq;
}

// Answers `command` with the group's state. The first answer also remembers
// the command by its req_id, in this batch's transaction (group_requests.h).
void ReplyWithState(WriteContext& ctx, const Command& command, const std::string& conv,
                    bool created, bool dup = false) {
  if (!dup) RememberGroupCommand(ctx, command, conv, NowMillis());
  ctx.out.AddOne(
      DeviceTopic(command.sender.user, command.sender.device),
      EncodeConversationReply(ctx.conversations.Info(conv), command.req_id, created, dup));
}

// A resend of a group command its device already applied changes nothing and
// gets the group's current state with `dup`. True when `command` was one.
bool AnswerResend(WriteContext& ctx, const Command& command) {
  auto conv = FindAppliedGroupCommand(ctx, command, NowMillis());
  if (!conv) return false;
  ++ctx.stats.duplicates;
  spdlog::info("duplicate group command {}/{} req_id={} -> {}", command.sender.user,
               command.sender.device, command.req_id, *conv);
  ReplyWithState(ctx, command, *conv, std::holds_alternative<GroupCreateCommand>(command.body),
                 /*dup=*/true);
  return true;
}

void AnnounceTo(WriteContext& ctx, const std::vector<std::string>& users, const std::string& conv) {
  std::string event = EncodeConversationNew(ctx.conversations.Info(conv));
  for (const auto& user : users) ctx.out.AddOne(InboxTopic(user), event);
}

// The first unknown user of `users`, or "".
std::string FirstUnknown(WriteContext& ctx, const std::vector<std::string>& users) {
  for (const auto& user : users) {
    if (!ctx.conversations.IsActiveUser(user)) return user;
  }
  return "";
}

// The first of `users` who has blocked `actor`, or "": nobody is put into a
// group by someone they blocked.
std::string FirstBlocking(WriteContext& ctx, const std::string& actor,
                          const std::vector<std::string>& users) {
  for (const auto& user : users) {
    if (ctx.privacy.Blocked(user, actor)) return user;
  }
  return "";
}

void RejectBlocking(WriteContext& ctx, const Command& command, const std::string& user) {
  RejectCommand(ctx, command, ErrorCode::kBlocked,
                "'" + user + "' has blocked '" + command.sender.user + "'");
}

// Longest-standing active admin, else member, other than `leaving`.
std::string Successor(WriteContext& ctx, const std::string& conv, const std::string& leaving) {
  std::string best;
  int64_t best_rank = 0;
  for (const auto& user : ctx.conversations.ActiveMembers(conv)) {
    if (user == leaving) continue;
    auto m = ctx.conversations.MembershipOf(conv, user);
    int64_t rank = (m->role == protocol::role::kAdmin ? 0 : (int64_t{1} << 62)) + m->joined_ms;
    if (best.empty() || rank < best_rank) {
      best = user;
      best_rank = rank;
    }
  }
  return best;
}

void Add(WriteContext& ctx, const Command& command, const std::string& conv,
         const std::vector<std::string>& users) {
  std::vector<std::string> added;
  for (const auto& user : users) {
    auto m = ctx.conversations.MembershipOf(conv, user);
    if (!m || !m->active()) added.push_back(user);
  }
  if (!FirstUnknown(ctx, added).empty()) {
    return RejectCommand(ctx, command, ErrorCode::kUnknownUser,
                         "no user '" + FirstUnknown(ctx, added) + "'");
  }
  if (std::string blocking = FirstBlocking(ctx, command.sender.user, added); !blocking.empty()) {
    return RejectBlocking(ctx, command, blocking);
  }
  if (ctx.conversations.ActiveMembers(conv).size() + added.size() > ctx.limits.max_group_members) {
    return RejectCommand(
        ctx, command, ErrorCode::kGroupFull,
        "a group holds at most " + std::to_string(ctx.limits.max_group_members) + " members");
  }
  if (!added.empty()) {
    int64_t seq = ctx.conversations.LastSeq(conv) + 1;  // the system message below
    for (const auto& user : added)
      ctx.conversations.AddMember(conv, user, std::string(protocol::role::kMember), seq,
                                  NowMillis());
    AnnounceTo(ctx, added, conv);
    ctx.audience_changed.insert(ctx.audience_changed.end(), added.begin(), added.end());
    AppendSystemMessage(ctx, command, conv,
                        {{"action", protocol::action::kMemberAdded}, {"users", added}},
                        ctx.conversations.ActiveMembers(conv));
  }
  ReplyWithState(ctx, command, conv, false);
}

void Remove(WriteContext& ctx, const Command& command, const std::string& conv,
            const Membership& actor, std::vector<std::string> users, std::string_view action) {
  std::vector<std::string> removed;
  for (const auto& user : users) {
    auto m = ctx.conversations.MembershipOf(conv, user);
    if (!m || !m->active()) continue;
    bool self = user == command.sender.user;
    bool allowed = self || (actor.role == protocol::role::kOwner) ||
                   (actor.role == protocol::role::kAdmin && m->role == protocol::role::kMember);
    if (!allowed || (self && action == protocol::action::kMemberRemoved)) {
      return RejectCommand(
          ctx, command, ErrorCode::kForbidden,
          "as " + actor.role + ", '" + command.sender.user + "' may not remove '" + user + "'");
    }
    removed.push_back(user);
  }
  if (removed.empty()) return ReplyWithState(ctx, command, conv, false);
  std::vector<std::string> audience = ctx.conversations.ActiveMembers(conv);
  std::string successor;
  if (actor.role == protocol::role::kOwner &&
      std::find(removed.begin(), removed.end(), command.sender.user) != removed.end()) {
    successor = Successor(ctx, conv, command.sender.user);
  }
  int64_t seq = ctx.conversations.LastSeq(conv) + 1;
  for (const auto& user : removed) ctx.conversations.RemoveMember(conv, user, seq);
  ctx.audience_changed.insert(ctx.audience_changed.end(), removed.begin(), removed.end());
  AppendSystemMessage(ctx, command, conv, {{"action", action}, {"users", removed}}, audience);
  if (!successor.empty()) {
    ctx.conversations.SetRole(conv, successor, std::string(protocol::role::kOwner));
    AppendSystemMessage(ctx, command, conv,
                        {{"action", protocol::action::kOwnerChanged}, {"user", successor}},
                        ctx.conversations.ActiveMembers(conv));
  }
  ReplyWithState(ctx, command, conv, false);
}

void SetRole(WriteContext& ctx, const Command& command, const std::string& conv,
             const Membership& actor, const GroupChangeCommand& change) {
  if (actor.role != protocol::role::kOwner) {
    return RejectCommand(ctx, command, ErrorCode::kForbidden, "only the owner sets roles");
  }
  auto target = ctx.conversations.MembershipOf(conv, change.user);
  if (!target || !target->active()) {
    return RejectCommand(ctx, command, ErrorCode::kNotMember,
                         "'" + change.user + "' is not a member of '" + conv + "'");
  }
  if (change.user == command.sender.user) {
    return RejectCommand(ctx, command, ErrorCode::kForbidden, "the owner's role is fixed");
  }
  if (target->role != change.role) {
    ctx.conversations.SetRole(conv, change.user, change.role);
    AppendSystemMessage(
        ctx, command, conv,
        {{"action", protocol::action::kRoleChanged}, {"user", change.user}, {"role", change.role}},
        ctx.conversations.ActiveMembers(conv));
  }
  ReplyWithState(ctx, command, conv, false);
}

}  // namespace

void HandleGroupCreate(WriteContext& ctx, const Command& command,
                       const GroupCreateCommand& create) {
  if (AnswerResend(ctx, command)) return;
  if (std::string unknown = FirstUnknown(ctx, create.members); !unknown.empty()) {
    return RejectCommand(ctx, command, ErrorCode::kUnknownUser, "no user '" + unknown + "'");
  }
  if (std::string blocking = FirstBlocking(ctx, command.sender.user, create.members);
      !blocking.empty()) {
    return RejectBlocking(ctx, command, blocking);
  }
  std::string conv = ctx.conversations.CreateGroup(create.title, NowMillis());
  ctx.conversations.AddMember(conv, command.sender.user, std::string(protocol::role::kOwner), 1,
                              NowMillis());
  for (const auto& user : create.members)
    ctx.conversations.AddMember(conv, user, std::string(protocol::role::kMember), 1, NowMillis());
  std::vector<std::string> everyone = ctx.conversations.ActiveMembers(conv);
  AnnounceTo(ctx, everyone, conv);
  ctx.audience_changed.insert(ctx.audience_changed.end(), everyone.begin(), everyone.end());
  AppendSystemMessage(
      ctx, command, conv,
      {{"action", protocol::action::kGroupCreated}, {"title", create.title}, {"users", everyone}},
      everyone);
  ReplyWithState(ctx, command, conv, true);
}

void HandleGroupChange(WriteContext& ctx, const Command& command,
                       const GroupChangeCommand& change) {
  if (AnswerResend(ctx, command)) return;
  const std::string& conv = change.conv;
  std::string kind = ctx.conversations.Kind(conv);
  if (kind.empty()) {
    return RejectCommand(ctx, command, ErrorCode::kUnknownConversation,
                         "no conversation '" + conv + "'");
  }
  if (kind != protocol::kind::kGroup) {
    return RejectCommand(ctx, command, ErrorCode::kNotGroup, "'" + conv + "' is not a group");
  }
  auto actor = ctx.conversations.MembershipOf(conv, command.sender.user);
  if (!actor || !actor->active()) {
    return RejectCommand(ctx, command, ErrorCode::kNotMember, "not a member of '" + conv + "'");
  }
  switch (change.action) {
    case Action::kAdd:
      if (actor->role == protocol::role::kMember) {
        return RejectCommand(ctx, command, ErrorCode::kForbidden,
                             "only owners and admins add members");
      }
      return Add(ctx, command, conv, change.users);
    case Action::kRemove:
      return Remove(ctx, command, conv, *actor, change.users, protocol::action::kMemberRemoved);
    case Action::kLeave:
      return Remove(ctx, command, conv, *actor, {command.sender.user},
                    protocol::action::kMemberLeft);
    case Action::kSetRole: return SetRole(ctx, command, conv, *actor, change);
  }
}

}  // namespace chat
