// Shared helpers of the write-side handlers.
#include "chatd/write_context.h"

#include <spdlog/spdlog.h>

#include "chat/topics.h"
#include "chatd/events.h"

namespace chat {

void RejectCommand(WriteContext& ctx, const Command& command, ErrorCode code,
                   const std::string& message) {
  ++ctx.stats.rejected;
  spdlog::info("rejected {}/{} req_id={} cmid={}: {} ({})", command.sender.user,
               command.sender.device, command.req_id, command.cmid, ErrorCodeName(code), message);
  ctx.out.AddOne(
      DeviceTopic(command.sender.user, command.sender.device),
      protocol::EncodeError({code, message, command.req_id, command.cmid, std::nullopt}));
}

void FanOutToUsers(WriteContext& ctx, const std::vector<std::string>& users,
                   const std::string& conv, std::string payload) {
  std::vector<std::string> topics;
  topics.reserve(users.size());
  for (const auto& user : users) topics.push_back(InboxTopic(user, conv));
  ctx.out.Add(std::move(topics), std::move(payload));
}

void FanOutMessage(WriteContext& ctx, const std::vector<std::string>& users,
                   const StoredMessage& message) {
  std::vector<std::string> topics;
  topics.reserve(users.size());
  for (const auto& user : users) topics.push_back(InboxTopic(user, message.conv));
  ctx.out.AddMessageCopies(std::move(topics), EncodeMessage(message, EventForm::kLive),
                           message.conv, message.seq);
}

void FanOutToOtherDevices(WriteContext& ctx, const std::string& user,
                          const std::string& except_device, std::string payload) {
  std::vector<std::string> topics;
  for (const std::string& device : ctx.conversations.Devices(user)) {
    if (device != except_device) topics.push_back(DeviceTopic(user, device));
  }
  if (!topics.empty()) ctx.out.Add(std::move(topics), std::move(payload));
}

}  // namespace chat
