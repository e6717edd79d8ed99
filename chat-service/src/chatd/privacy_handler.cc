// Blocks, mutes and privacy settings: the write side.
#include "chatd/privacy_handler.h"

#include <spdlog/spdlog.h>

#include "chat/clock.h"
#include "chat/topics.h"
#include "chatd/events.h"

namespace chat {

namespace {

// The requesting device gets `state` answering its req_id; the user's other
// devices get it plain.
void AnswerEveryDevice(WriteContext& ctx, const Command& command, const std::string& reply,
                       std::string state) {
  ctx.out.AddOne(DeviceTopic(command.sender.user, command.sender.device), reply);
  FanOutToOtherDevices(ctx, command.sender.user, command.sender.device, std::move(state));
}

}  // namespace

void HandleBlock(WriteContext& ctx, const Command& command, const BlockCommand& block) {
  const std::string& user = command.sender.user;
  if (block.block) {
    // Unblocking needs no check: a user disabled since must stay unblockable.
    if (!ctx.conversations.IsActiveUser(block.user)) {
      return RejectCommand(ctx, command, ErrorCode::kUnknownUser, "no user '" + block.user + "'");
    }
    ctx.privacy.Block(user, block.user, NowMillis());
  } else {
    ctx.privacy.Unblock(user, block.user);
  }
  spdlog::info("{} {} {}", user, block.block ? "blocked" : "unblocked", block.user);
  ctx.audience_changed.push_back(user);  // both ways: its watchers and its watches
  std::vector<std::string> blocked = ctx.privacy.BlockedBy(user);
  AnswerEveryDevice(ctx, command, EncodeBlocks(blocked, command.req_id), EncodeBlocks(blocked, ""));
}

void HandleMute(WriteContext& ctx, const Command& command, const MuteCommand& mute) {
  const std::string& user = command.sender.user;
  if (ctx.conversations.Kind(mute.conv).empty()) {
    return RejectCommand(ctx, command, ErrorCode::kUnknownConversation,
                         "no conversation '" + mute.conv + "'");
  }
  if (auto m = ctx.conversations.MembershipOf(mute.conv, user); !m || !m->active()) {
    return RejectCommand(ctx, command, ErrorCode::kNotMember,
                         "not a member of '" + mute.conv + "'");
  }
  if (mute.mute) {
    ctx.privacy.Mute(user, mute.conv, mute.until_ms);
  } else {
    ctx.privacy.Unmute(user, mute.conv);
  }
  // The state in force now: a mute until a time already past is no mute.
  auto until = ctx.privacy.MutedUntil(user, mute.conv, NowMillis());
  AnswerEveryDevice(ctx, command, EncodeMute(mute.conv, until, command.req_id),
                    EncodeMute(mute.conv, until, ""));
}

void HandleSettingsSet(WriteContext& ctx, const Command& command,
                       const SettingsSetCommand& change) {
  const std::string& user = command.sender.user;
  PrivacySettings settings = ctx.privacy.Settings(user);
  if (change.presence) settings.presence = *change.presence;
  if (change.read_receipts) settings.read_receipts = *change.read_receipts;
  if (change.push_preview) settings.push_preview = *change.push_preview;
  ctx.privacy.SetSettings(user, settings);
  if (change.presence) ctx.audience_changed.push_back(user);
  spdlog::info("{} settings: presence {}, read receipts {}, push preview {}", user,
               PresenceAudienceName(settings.presence), settings.read_receipts ? "on" : "off",
               PushPreviewName(settings.push_preview));
  AnswerEveryDevice(ctx, command, EncodeSettings(settings, command.req_id),
                    EncodeSettings(settings, ""));
}

}  // namespace chat
