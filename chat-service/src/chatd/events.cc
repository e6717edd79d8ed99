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

}  // namespace

json ConversationJson(const ConversationInfo& info) {
  json out{{"conv", info.conv}, {"kind", info.kind}, {"members", info.members}};
  if (info.kind == protocol::kind::kGroup) {
    out["title"] = info.title;
    out["roles"] = info.roles;
  }
  return out;
}

// Written without a JSON tree: chatd encodes at least two events per message
// it accepts, and a sync page holds thousands.
std::string EncodeMessage(const StoredMessage& m, EventForm form) {
  if (form == EventForm::kLive && m.kind != protocol::kSystemKind) {
    return JsonArrayWriter()
        .String(protocol::event::kMsg)
        .Integer(m.seq)
        .Integer(m.ts_ms)
        .String(m.from)
        .String(m.body)
        .Finish();
  }
  JsonObjectWriter event;
  event.String("type", protocol::event::kMsg);
  if (form != EventForm::kLive) event.String("conv", m.conv);
  event.Integer("seq", m.seq).Integer("ts", m.ts_ms).String("from", m.from);
  if (form == EventForm::kOwn) event.String("dev", m.device).String("cmid", m.cmid);
  event.String("body", m.body);
  if (m.kind == protocol::kSystemKind) {
    event.String("kind", protocol::kSystemKind).Raw("event", SystemEventText(m.event));
  }
  return event.Finish();
}

std::string EncodeAccepted(const StoredMessage& m, const std::string& req_id, bool dup,
                           bool name_conv) {
  if (req_id.empty() && !dup && !name_conv) {
    return JsonArrayWriter()
        .String(protocol::event::kAccepted)
        .String(m.cmid)
        .Integer(m.seq)
        .Integer(m.ts_ms)
        .Finish();
  }
  JsonObjectWriter event;
  event.String("type", protocol::event::kAccepted);
  if (name_conv) event.String("conv", m.conv);
  event.Integer("seq", m.seq).Integer("ts", m.ts_ms).String("cmid", m.cmid);
  if (!req_id.empty()) event.String("req_id", req_id);
  if (dup) event.Bool("dup", true);
  return event.Finish();
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
                          int64_t read, EventForm form) {
  if (form == EventForm::kLive) {
    return JsonArrayWriter()
        .String(protocol::event::kReceipt)
        .String(user)
        .Integer(delivered)
        .Integer(read)
        .Finish();
  }
  JsonObjectWriter event;
  event.String("type", protocol::event::kReceipt).String("conv", conv);
  return event.String("user", user).Integer("delivered", delivered).Integer("read", read).Finish();
}

std::string EncodeTyping(const std::string& user) {
  return JsonObjectWriter().String("type", protocol::event::kTyping).String("user", user).Finish();
}

std::string EncodeHead(const std::string& conv, int64_t seq) {
  return JsonObjectWriter()
      .String("type", protocol::event::kHead)
      .String("conv", conv)
      .Integer("seq", seq)
      .Finish();
}

namespace {

std::string_view StateName(PersonState state) {
  switch (state) {
    case PersonState::kOnline: return protocol::presence_state::kOnline;
    case PersonState::kAway: return protocol::presence_state::kAway;
    case PersonState::kOffline: return protocol::presence_state::kOffline;
    case PersonState::kUnknown: break;
  }
  return protocol::presence_state::kUnknown;
}

}  // namespace

std::string EncodePresence(const std::vector<PersonPresence>& users, const std::string& req_id) {
  json event;
  event["type"] = protocol::event::kPresence;
  if (!req_id.empty()) event["req_id"] = req_id;
  json list = json::array();
  for (const PersonPresence& p : users) {
    json entry{{"user", p.user}, {"state", StateName(p.state)}};
    if (p.state == PersonState::kOffline && p.last_seen_ms > 0) entry["last_seen"] = p.last_seen_ms;
    list.push_back(std::move(entry));
  }
  event["users"] = std::move(list);
  return Dump(event);
}

std::string EncodeBlocks(const std::vector<std::string>& users, const std::string& req_id) {
  JsonObjectWriter event;
  event.String("type", protocol::event::kBlocks);
  if (!req_id.empty()) event.String("req_id", req_id);
  return event.Raw("users", Dump(users)).Finish();
}

std::string EncodeMute(const std::string& conv, std::optional<int64_t> muted_until,
                       const std::string& req_id) {
  JsonObjectWriter event;
  event.String("type", protocol::event::kMute);
  if (!req_id.empty()) event.String("req_id", req_id);
  event.String("conv", conv);
  if (muted_until) event.Integer("muted_until", *muted_until);
  return event.Finish();
}

std::string EncodePush(const std::optional<PushRegistration>& registration,
                       const std::string& req_id) {
  JsonObjectWriter event;
  event.String("type", protocol::event::kPush);
  if (!req_id.empty()) event.String("req_id", req_id);
  event.Bool("registered", registration.has_value());
  if (registration) {
    event.String("platform", registration->platform)
        .String("app", registration->app)
        .Bool("sandbox", registration->sandbox);
  }
  return event.Finish();
}

std::string EncodeSettings(const PrivacySettings& settings, const std::string& req_id) {
  JsonObjectWriter event;
  event.String("type", protocol::event::kSettings);
  if (!req_id.empty()) event.String("req_id", req_id);
  return event.String("presence", PresenceAudienceName(settings.presence))
      .Bool("read_receipts", settings.read_receipts)
      .String("push_preview", PushPreviewName(settings.push_preview))
      .Finish();
}

}  // namespace chat
