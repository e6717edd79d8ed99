// Command handling inside one write transaction.
#include "chatd/command_processor.h"

#include <spdlog/spdlog.h>

#include "chat/clock.h"
#include "chat/topics.h"
#include "chatd/events.h"

namespace chat {

CommandProcessor::CommandProcessor(Database& db, MessageStore& store) : db_(db), store_(store) {}

BatchStats CommandProcessor::ProcessBatch(const std::vector<Command>& commands,
                                          FanoutBatch& out) {
  BatchStats stats;
  std::size_t first_output = out.size();
  try {
    Transaction txn(db_);
    for (const Command& command : commands) {
      std::visit([&](const auto& body) { Handle(command, body, out, stats); }, command.body);
    }
    txn.Commit();
  } catch (const StoreFailure& failure) {
    spdlog::error("batch of {} commands rolled back: {}", commands.size(), failure.what());
    out.Truncate(first_output);
    stats = {};
    for (const Command& command : commands) {
      Reject(command, ErrorCode::kInternal, "the server could not store this; retry", out, stats);
    }
  }
  return stats;
}

void CommandProcessor::Reject(const Command& command, ErrorCode code, const std::string& message,
                              FanoutBatch& out, BatchStats& stats) {
  ++stats.rejected;
  spdlog::info("rejected {}/{} req_id={} cmid={}: {} ({})", command.sender.user,
               command.sender.device, command.req_id, command.cmid, ErrorCodeName(code), message);
  out.AddOne(DeviceTopic(command.sender.user, command.sender.device),
          EncodeError(code, message, command.req_id, command.cmid));
}

void CommandProcessor::Handle(const Command& command, const RejectedCommand& rejected,
                              FanoutBatch& out, BatchStats& stats) {
  Reject(command, rejected.code, rejected.message, out, stats);
}

std::string CommandProcessor::OpenDirect(const std::string& a, const std::string& b,
                                         FanoutBatch& out, bool* created) {
  if (auto existing = store_.FindDirect(a, b)) {
    *created = false;
    return *existing;
  }
  std::string conv = store_.CreateDirect(a, b, NowMillis());
  *created = true;
  ConversationInfo info{conv, "direct", store_.Members(conv)};
  std::string event = EncodeConversationNew(info);
  for (const std::string& member : info.members) out.AddOne(InboxTopic(member), event);
  spdlog::info("created direct conversation {} for {} and {}", conv, a, b);
  return conv;
}

void CommandProcessor::Handle(const Command& command, const SendCommand& send, FanoutBatch& out,
                              BatchStats& stats) {
  const std::string& sender = command.sender.user;
  std::string conv = send.conv;
  if (!send.to.empty()) {
    if (!store_.UserExists(send.to)) {
      return Reject(command, ErrorCode::kUnknownUser, "no user '" + send.to + "'", out, stats);
    }
    bool created = false;
    conv = OpenDirect(sender, send.to, out, &created);
  } else if (!store_.ConversationExists(conv)) {
    return Reject(command, ErrorCode::kUnknownConversation, "no conversation '" + conv + "'",
                  out, stats);
  } else if (!store_.IsMember(conv, sender)) {
    return Reject(command, ErrorCode::kNotMember, "not a member of '" + conv + "'", out, stats);
  }

  if (auto prior = store_.FindByClientId(conv, sender, send.cmid)) {
    ++stats.duplicates;
    spdlog::debug("duplicate {}/{} cmid={} -> {}#{}", sender, command.sender.device, send.cmid,
                  conv, prior->seq);
    out.AddOne(InboxTopic(sender, conv), EncodeAccepted(*prior, command.req_id, /*dup=*/true));
    return;
  }
  StoredMessage message{conv, 0, NowMillis(), sender, command.sender.device, send.cmid, send.body};
  store_.Append(message);
  ++stats.accepted;
  spdlog::debug("accepted {}/{} cmid={} -> {}#{}", sender, command.sender.device, send.cmid, conv,
                message.seq);

  std::vector<std::string> recipients;
  for (const std::string& member : store_.Members(conv)) {
    if (member != sender) recipients.push_back(InboxTopic(member, conv));
  }
  out.Add(std::move(recipients), EncodeMessage(message));
  out.AddOne(InboxTopic(sender, conv), EncodeAccepted(message, command.req_id, /*dup=*/false));
}

void CommandProcessor::Handle(const Command& command, const CreateDirectCommand& create,
                              FanoutBatch& out, BatchStats& stats) {
  const std::string& sender = command.sender.user;
  if (!store_.UserExists(create.with)) {
    return Reject(command, ErrorCode::kUnknownUser, "no user '" + create.with + "'", out, stats);
  }
  bool created = false;
  std::string conv = OpenDirect(sender, create.with, out, &created);
  ConversationInfo info{conv, "direct", store_.Members(conv)};
  out.AddOne(DeviceTopic(sender, command.sender.device),
          EncodeConversationReply(info, command.req_id, created));
}

}  // namespace chat
