// Parsing of backend events (PROTOCOL.md sections 5 and 6) into Event values.
#include "chat/client/event.h"

#include <nlohmann/json.hpp>

#include "chat/compact_form.h"
#include "chat/protocol.h"
#include "chat/topics.h"
#include "field_reader.h"

namespace chat::client {
namespace {

using internal::FieldReader;
using internal::Format;
using nlohmann::json;

Event Invalid(std::string reason, std::string_view payload) {
  Event event;
  event.type = event_type::kInvalid;
  event.message = std::move(reason);
  event.raw = std::string(payload);
  return event;
}

std::string Dump(const json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

Event ParseObject(const json& object, std::string_view raw, std::string_view topic_conv = {});

void ReadCommonFields(FieldReader& reader, Event& event) {
  reader.Text("conv", event.conv, Format::kId);
  reader.Integer("seq", event.seq, 1);
  reader.Integer("ts", event.ts, 0);
  reader.Text("from", event.from, Format::kId);
  reader.Text("dev", event.dev, Format::kId);
  reader.Text("cmid", event.cmid, Format::kClientToken);
  reader.Text("body", event.body, Format::kAnyText);
  reader.Text("req_id", event.req_id, Format::kClientToken);
  reader.Boolean("dup", event.dup);
  reader.Text("code", event.code, Format::kAnyText);
  reader.Text("message", event.message, Format::kAnyText);
  reader.Text("kind", event.kind, Format::kAnyText);
  reader.IdList("members", event.members);
  reader.Boolean("created", event.created);
  reader.Text("title", event.title, Format::kAnyText);
  reader.TextMap("roles", event.roles);
  reader.Text("user", event.user, Format::kId);
  reader.Boolean("more", event.more);
}

void ReadSystemChange(FieldReader& reader, Event& event) {
  reader.Require({"event"});
  const json* change = reader.Object("event");
  if (change == nullptr) return;
  FieldReader inner(*change);
  inner.Require({"action"});
  inner.Text("action", event.change.action, Format::kAnyText);
  inner.IdList("users", event.change.users);
  inner.Text("title", event.change.title, Format::kAnyText);
  inner.Text("user", event.change.user, Format::kId);
  inner.Text("role", event.change.role, Format::kAnyText);
  if (!inner.error().empty()) reader.Fail("event", inner.error());
}

void ReadMessages(FieldReader& reader, Event& event) {
  const json* messages = reader.Array("messages");
  if (messages == nullptr) return;
  for (std::size_t i = 0; i < messages->size(); ++i) {
    const json& item = (*messages)[i];
    Event message = item.is_object() ? ParseObject(item, Dump(item)) : Invalid("not an object", "");
    if (!message.Is(event_type::kMsg)) {
      std::string why = message.Is(event_type::kInvalid) ? message.message : "is not a msg";
      return reader.Fail("messages[" + std::to_string(i) + "]", why);
    }
    event.messages.push_back(std::move(message));
  }
}

void ReadPeople(FieldReader& reader, Event& event) {
  const json* users = reader.Array("users");
  if (users == nullptr) return;
  for (std::size_t i = 0; i < users->size(); ++i) {
    const json& item = (*users)[i];
    std::string name = "users[" + std::to_string(i) + "]";
    if (!item.is_object()) return reader.Fail(name, "is not an object");
    FieldReader inner(item);
    UserPresence p;
    inner.Require({"user", "state"});
    inner.Text("user", p.user, Format::kId);
    inner.Text("state", p.state, Format::kAnyText);
    inner.Integer("last_seen", p.last_seen, 0);
    if (!inner.error().empty()) return reader.Fail(name, inner.error());
    event.people.push_back(std::move(p));
  }
}

void ReadConvs(FieldReader& reader, Event& event) {
  const json* convs = reader.Array("convs");
  if (convs == nullptr) return;
  for (std::size_t i = 0; i < convs->size(); ++i) {
    const json& item = (*convs)[i];
    std::string name = "convs[" + std::to_string(i) + "]";
    if (!item.is_object()) return reader.Fail(name, "is not an object");
    FieldReader inner(item);
    ConversationSummary c;
    inner.Require({"conv", "kind", "members", "last_seq", "read_seq", "unread", "active"});
    inner.Text("conv", c.conv, Format::kId);
    inner.Text("kind", c.kind, Format::kAnyText);
    inner.Text("title", c.title, Format::kAnyText);
    inner.IdList("members", c.members);
    inner.TextMap("roles", c.roles);
    inner.Integer("last_seq", c.last_seq, 0);
    inner.Integer("read_seq", c.read_seq, 0);
    inner.Integer("unread", c.unread, 0);
    inner.Boolean("active", c.active);
    inner.Integer("muted_until", c.muted_until, 0);
    if (!inner.error().empty()) return reader.Fail(name, inner.error());
    event.convs.push_back(std::move(c));
  }
}

// Fields whose meaning depends on the type, and the fields PROTOCOL.md
// promises for each type this client knows.
void ReadTypedFields(FieldReader& reader, Event& event) {
  const std::string& t = event.type;
  if (t == event_type::kMsg) {
    reader.Require({"seq", "ts", "from", "body"});
    if (event.kind == protocol::kSystemKind) ReadSystemChange(reader, event);
  } else if (t == event_type::kAccepted) {
    reader.Require({"seq", "ts", "cmid"});  // conv: from the outbox entry when absent
  } else if (t == event_type::kConv || t == event_type::kConvNew) {
    reader.Require({"conv", "kind", "members"});
  } else if (t == event_type::kError) {
    reader.Require({"code", "message"});
    reader.Integer("retry_after_ms", event.retry_after_ms, 0);
  } else if (t == event_type::kReceipt) {
    reader.Require({"user", "delivered", "read"});
    reader.Integer("delivered", event.delivered, 0);
    reader.Integer("read", event.read, 0);
  } else if (t == event_type::kReceipts) {
    reader.Require({"conv", "seq", "read", "delivered"});
    reader.IdList("read", event.read_by);
    reader.IdList("delivered", event.delivered_to);
  } else if (t == event_type::kTyping) {
    reader.Require({"user"});
  } else if (t == event_type::kHead) {
    reader.Require({"conv", "seq"});
  } else if (t == event_type::kSync) {
    reader.Require({"convs", "messages", "cursors", "more"});
    ReadConvs(reader, event);
    ReadMessages(reader, event);
    reader.IntegerMap("cursors", event.cursors);
  } else if (t == event_type::kHistory) {
    reader.Require({"conv", "messages", "more"});
    ReadMessages(reader, event);
  } else if (t == event_type::kBlocks) {
    reader.Require({"users"});
    reader.IdList("users", event.users);
  } else if (t == event_type::kPresence) {
    reader.Require({"users"});
    ReadPeople(reader, event);
  } else if (t == event_type::kMute) {
    reader.Require({"conv"});
    reader.Integer("muted_until", event.muted_until, 0);
  } else if (t == event_type::kSettings) {
    reader.Require({"presence", "read_receipts"});
    reader.Text("presence", event.presence, Format::kAnyText);
    reader.Boolean("read_receipts", event.read_receipts);
    reader.Text("push_preview", event.push_preview, Format::kAnyText);  // absent from older servers
  } else if (t == event_type::kPush) {
    reader.Require({"registered"});
    reader.Boolean("registered", event.registered);
    reader.Text("platform", event.platform, Format::kAnyText);
    reader.Text("app", event.app, Format::kAnyText);
    reader.Boolean("sandbox", event.sandbox);
  }
}

// Events of a conversation carry `conv` in the payload or, on a conversation
// topic, in the topic.
bool NeedsConversation(const std::string& type) {
  return type == event_type::kMsg || type == event_type::kReceipt || type == event_type::kTyping;
}

Event ParseObject(const json& object, std::string_view raw, std::string_view topic_conv) {
  auto type = object.find("type");
  if (type == object.end() || !type->is_string() || type->get_ref<const std::string&>().empty()) {
    return Invalid("field 'type' is missing or not a non-empty string", raw);
  }
  Event event;
  event.type = type->get<std::string>();
  FieldReader reader(object);
  ReadCommonFields(reader, event);
  if (event.conv.empty()) event.conv = std::string(topic_conv);
  if (event.conv.empty() && NeedsConversation(event.type)) {
    reader.Fail("conv", "is missing (from the payload and the topic)");
  }
  ReadTypedFields(reader, event);
  if (!reader.error().empty()) return Invalid(event.type + ": " + reader.error(), raw);
  event.raw = std::string(raw);
  return event;
}

}  // namespace

Event ParseEvent(std::string_view payload, std::string_view topic) {
  json object = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  std::string error;
  if (object.is_array()) {
    std::optional<json> expanded = compact::Expand(std::move(object), error);
    object = expanded ? std::move(*expanded) : json();
  }
  Event event = object.is_discarded() ? Invalid("payload is not valid JSON", payload)
                : !error.empty()      ? Invalid(error, payload)
                : !object.is_object() ? Invalid("payload is not a JSON object", payload)
                                      : ParseObject(object, payload, ConversationOfTopic(topic));
  event.topic = std::string(topic);
  return event;
}

Event MakeLocalEvent(std::string_view type, std::string message, std::string code) {
  Event event;
  event.type = std::string(type);
  event.message = std::move(message);
  event.code = std::move(code);
  return event;
}

}  // namespace chat::client
