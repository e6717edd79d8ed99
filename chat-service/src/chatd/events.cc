// Event encoding.
#include "chatd/events.h"

namespace chat {

using json = nlohmann::json;

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

json MessageJson(const StoredMessage& m) {
  json out{{"type", "msg"},  {"conv", m.conv},  {"seq", m.seq},   {"ts", m.ts_ms},
           {"from", m.from}, {"dev", m.device}, {"cmid", m.cmid}, {"body", m.body}};
  if (m.kind == "system") {
    out["kind"] = "system";
    out["event"] = json::parse(m.event, nullptr, /*allow_exceptions=*/false);
  }
  return out;
}

json ConversationJson(const ConversationInfo& info) {
  json out{{"conv", info.conv}, {"kind", info.kind}, {"members", info.members}};
  if (info.kind == "group") {
    out["title"] = info.title;
    out["roles"] = info.roles;
  }
  return out;
}

std::string EncodeMessage(const StoredMessage& message) { return Dump(MessageJson(message)); }

std::string EncodeAccepted(const StoredMessage& message, const std::string& req_id, bool dup) {
  json event = MessageJson(message);
  event["type"] = "accepted";
  if (!req_id.empty()) event["req_id"] = req_id;
  event["dup"] = dup;
  return Dump(event);
}

std::string EncodeConversationReply(const ConversationInfo& info, const std::string& req_id,
                                    bool created, bool dup) {
  json event = ConversationJson(info);
  event["type"] = "conv";
  if (!req_id.empty()) event["req_id"] = req_id;
  event["created"] = created;
  event["dup"] = dup;
  return Dump(event);
}

std::string EncodeConversationNew(const ConversationInfo& info) {
  json event = ConversationJson(info);
  event["type"] = "conv.new";
  return Dump(event);
}

std::string EncodeReceipt(const std::string& conv, const std::string& user, int64_t delivered,
                          int64_t read) {
  return Dump(json{{"type", "receipt"},
                   {"conv", conv},
                   {"user", user},
                   {"delivered", delivered},
                   {"read", read}});
}

std::string EncodeError(ErrorCode code, const std::string& message, const std::string& req_id,
                        const std::string& cmid) {
  json event{{"type", "error"}, {"code", ErrorCodeName(code)}, {"message", message}};
  if (!req_id.empty()) event["req_id"] = req_id;
  if (!cmid.empty()) event["cmid"] = cmid;
  return Dump(event);
}

}  // namespace chat
