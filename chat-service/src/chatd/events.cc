// Event encoding.
#include "chatd/events.h"

#include "chat/json_writer.h"
#include "chat/protocol.h"

namespace chat {

using json = nlohmann::json;

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {

// A system message's stored event, parsed and written again so that a
// damaged row cannot break the event around it (null then).
std::string SystemEventText(const std::string& stored) {
  json event = json::parse(stored, nullptr, /*allow_exceptions=*/false);
  return event.is_discarded() ? "null" : Dump(event);
}

// The members of a stored message, under event type `type`. Written without
// a JSON tree: chatd encodes two events per message it accepts.
JsonObjectWriter MessageMembers(std::string_view type, const StoredMessage& m) {
  JsonObjectWriter event;
  event.String("type", type)
      .String("conv", m.conv)
      .Integer("seq", m.seq)
      .Integer("ts", m.ts_ms)
      .String("from", m.from)
      .String("dev", m.device)
      .String("cmid", m.cmid)
      .String("body", m.body);
  if (m.kind == protocol::kSystemKind) {
    event.String("kind", protocol::kSystemKind).Raw("event", SystemEventText(m.event));
  }
  return event;
}

}  // namespace

json ConversationJson(const ConversationInfo& info) {
  json out{{"conv", info.conv}, {"kind", info.kind}, {"members", info.members}};
  if (info.kind == protocol::kind::kGroup) {
    out["title"] = info.title;
    out["roles"] = info.roles;
  }
  return out;
}

std::string EncodeMessage(const StoredMessage& message) {
  return MessageMembers(protocol::event::kMsg, message).Finish();
}

std::string EncodeAccepted(const StoredMessage& message, const std::string& req_id, bool dup) {
  JsonObjectWriter event = MessageMembers(protocol::event::kAccepted, message);
  if (!req_id.empty()) event.String("req_id", req_id);
  return event.Bool("dup", dup).Finish();
}

std::string EncodeConversationReply(const ConversationInfo& info, const std::string& req_id,
                                    bool created, bool dup) {
  json event = ConversationJson(info);
  event["type"] = protocol::event::kConv;
  if (!req_id.empty()) event["req_id"] = req_id;
  event["created"] = created;
  event["dup"] = dup;
  return Dump(event);
}

std::string EncodeConversationNew(const ConversationInfo& info) {
  json event = ConversationJson(info);
  event["type"] = protocol::event::kConvNew;
  return Dump(event);
}

std::string EncodeReceipt(const std::string& conv, const std::string& user, int64_t delivered,
                          int64_t read) {
  return Dump(json{{"type", protocol::event::kReceipt},
                   {"conv", conv},
                   {"user", user},
                   {"delivered", delivered},
                   {"read", read}});
}

}  // namespace chat
