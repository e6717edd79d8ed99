// Push registration and push planning on the write side.
#include "chatd/push_handler.h"

#include <spdlog/spdlog.h>

#include "chat/clock.h"
#include "chat/topics.h"
#include "chatd/events.h"

namespace chat {

namespace {

bool DeviceConnected(const WriteContext& ctx, const std::string& user, const std::string& device) {
  return ctx.presence && ctx.presence->IsDeviceConnected(user, device);
}

void AddJob(WriteContext& ctx, const std::string& user, const std::string& device, PushKind kind,
            const std::string& conv, int64_t seq, int64_t now_ms) {
  ctx.push.AddJobDeferred(PushJob{0, user, device, kind, conv, seq, now_ms, now_ms, 0});
  spdlog::debug("push job {} for {}/{}: {}#{}", PushKindName(kind), user, device, conv, seq);
}

}  // namespace

void HandlePushRegister(WriteContext& ctx, const Command& command,
                        const PushRegisterCommand& push) {
  const DeviceAddress& sender = command.sender;
  PushRegistration registration{sender.user, sender.device, push.platform,
                                push.app,    push.sandbox,  push.token};
  ctx.push.Register(registration, NowMillis());
  // The token itself is a credential of sorts: never logged.
  spdlog::info("{}/{} registered for push: {} app {}{}", sender.user, sender.device, push.platform,
               push.app, push.sandbox ? " (sandbox)" : "");
  ctx.out.AddOne(DeviceTopic(sender.user, sender.device), EncodePush(registration, command.req_id));
}

void HandlePushUnregister(WriteContext& ctx, const Command& command) {
  const DeviceAddress& sender = command.sender;
  if (ctx.push.Unregister(sender.user, sender.device)) {
    spdlog::info("{}/{} unregistered from push", sender.user, sender.device);
  }
  ctx.out.AddOne(DeviceTopic(sender.user, sender.device), EncodePush(std::nullopt, command.req_id));
}

void PlanMessagePushes(WriteContext& ctx, const StoredMessage& message) {
  int64_t now_ms = NowMillis();
  std::string user;  // the targets come ordered by user
  bool user_active = false;
  for (const PushTarget& target : ctx.push.TargetsOf(message.conv, message.from, now_ms)) {
    if (target.user != user) {
      user = target.user;
      user_active = ctx.presence && ctx.presence->IsOnline(user);
    }
    if (DeviceConnected(ctx, target.user, target.device)) continue;
    AddJob(ctx, target.user, target.device, user_active ? PushKind::kBadge : PushKind::kAlert,
           message.conv, message.seq, now_ms);
  }
}

void PlanReadPushes(WriteContext& ctx, const std::string& user, const std::string& device,
                    const std::string& conv, int64_t seq) {
  int64_t now_ms = NowMillis();
  for (const std::string& other : ctx.push.DevicesWithTokens(user, device)) {
    if (DeviceConnected(ctx, user, other)) continue;
    AddJob(ctx, user, other, PushKind::kClear, conv, seq, now_ms);
  }
}

}  // namespace chat
