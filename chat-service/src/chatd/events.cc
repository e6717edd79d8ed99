// Event encoding.
#include "chatd/events.h"

#include <nlohmann/json.hpp>

namespace chat {

namespace {

using json = nlohmann::json;

// Invalid UTF-8 can only come from a bug; replace rather than throw.
std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

json MessageFields(const char* type, const StoredMessage& m) {
  return json{{"type", type}, {"conv", m.conv},   {"seq", m.seq},   {"ts", m.ts_ms},
              {"from", m.from}, {"dev", m.device}, {"cmid", m.cmid}, {"body", m.body}};
}

json ConversationFields(const char* type, const ConversationInfo& info) {
  return json{{"type", type}, {"conv", info.conv}, {"kind", info.kind}, {"members", info.members}};
}

}  // namespace

std::string EncodeMessage(const StoredMessage& message) {
  return Dump(MessageFields("msg", message));
}

std::string EncodeAccepted(const StoredMessage& message, const std::string& req_id, bool dup) {
  json event = MessageFields("accepted", message);
  if (!req_id.empty()) event["req_id"] = req_id;
  event["dup"] = dup;
  return Dump(event);
}

std::string EncodeConversationReply(const ConversationInfo& info, const std::string& req_id,
                                    bool created) {
  json event = ConversationFields("conv", info);
  if (!req_id.empty()) event["req_id"] = req_id;
  event["created"] = created;
  return Dump(event);
}

std::string EncodeConversationNew(const ConversationInfo& info) {
  return Dump(ConversationFields("conv.new", info));
}

std::string EncodeError(ErrorCode code, const std::string& message, const std::string& req_id,
                        const std::string& cmid) {
  json event{{"type", "error"}, {"code", ErrorCodeName(code)}, {"message", message}};
  if (!req_id.empty()) event["req_id"] = req_id;
  if (!cmid.empty()) event["cmid"] = cmid;
  return Dump(event);
}

}  // namespace chat
