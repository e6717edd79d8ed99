// Parsing of backend events (PROTOCOL.md section 6) and their terminal form.
#include "chat/client/event.h"

#include <cstdio>
#include <initializer_list>
#include <nlohmann/json.hpp>

#include "chat/ids.h"

namespace chat::client {
namespace {

using nlohmann::json;

enum class Format { kAnyText, kId, kClientToken };

// Reads known fields out of one JSON object, remembering the first problem.
class FieldReader {
 public:
  explicit FieldReader(const json& object) : object_(object) {}

  void Text(const char* name, std::string& out, Format format) {
    const json* value = Find(name);
    if (value == nullptr) return;
    if (!value->is_string()) return Fail(name, "is not a string");
    out = value->get<std::string>();
    if (format == Format::kId && !IsValidId(out)) return Fail(name, "is not a valid id");
    if (format == Format::kClientToken && !IsValidClientToken(out)) {
      return Fail(name, "is not a valid client token");
    }
  }

  void Integer(const char* name, int64_t& out, int64_t min) {
    const json* value = Find(name);
    if (value == nullptr) return;
    if (!value->is_number_integer() ||
        (value->is_number_unsigned() && value->get<uint64_t>() > uint64_t{INT64_MAX})) {
      return Fail(name, "is not a 64-bit integer");
    }
    out = value->get<int64_t>();
    if (out < min) return Fail(name, "is out of range");
  }

  void Boolean(const char* name, bool& out) {
    const json* value = Find(name);
    if (value == nullptr) return;
    if (!value->is_boolean()) return Fail(name, "is not a boolean");
    out = value->get<bool>();
  }

  void IdList(const char* name, std::vector<std::string>& out) {
    const json* value = Find(name);
    if (value == nullptr) return;
    if (!value->is_array()) return Fail(name, "is not an array");
    for (const json& item : *value) {
      if (!item.is_string() || !IsValidId(item.get_ref<const std::string&>())) {
        return Fail(name, "holds something other than ids");
      }
      out.push_back(item.get<std::string>());
    }
  }

  void Require(std::initializer_list<const char*> names) {
    for (const char* name : names) {
      if (Find(name) == nullptr) return Fail(name, "is missing");
    }
  }

  const std::string& error() const { return error_; }

 private:
  const json* Find(const char* name) const {
    auto it = object_.find(name);
    return it == object_.end() ? nullptr : &*it;
  }
  void Fail(const char* name, const char* problem) {
    if (error_.empty()) error_ = std::string("field '") + name + "' " + problem;
  }

  const json& object_;
  std::string error_;
};

Event Invalid(std::string reason, std::string_view payload) {
  Event event;
  event.type = event_type::kInvalid;
  event.message = std::move(reason);
  event.raw = std::string(payload);
  return event;
}

void ReadKnownFields(FieldReader& reader, Event& event) {
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
}

// The fields PROTOCOL.md promises for each event type this client knows.
void RequireDocumentedFields(FieldReader& reader, std::string_view type) {
  if (type == event_type::kMsg || type == event_type::kAccepted) {
    reader.Require({"conv", "seq", "ts", "from", "dev", "cmid", "body"});
  } else if (type == event_type::kConv || type == event_type::kConvNew) {
    reader.Require({"conv", "kind", "members"});
  } else if (type == event_type::kError) {
    reader.Require({"code", "message"});
  }
}

// Terminal output must not carry a peer's control characters (escape sequences).
std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (byte < 0x20 || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string JoinMembers(const std::vector<std::string>& members) {
  std::string out;
  for (const auto& m : members) out += (out.empty() ? "" : ", ") + m;
  return out;
}

}  // namespace

Event ParseEvent(std::string_view payload) {
  json object = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return Invalid("payload is not valid JSON", payload);
  if (!object.is_object()) return Invalid("payload is not a JSON object", payload);
  auto type = object.find("type");
  if (type == object.end() || !type->is_string() || type->get_ref<const std::string&>().empty()) {
    return Invalid("field 'type' is missing or not a non-empty string", payload);
  }

  Event event;
  event.type = type->get<std::string>();
  FieldReader reader(object);
  ReadKnownFields(reader, event);
  RequireDocumentedFields(reader, event.type);
  if (!reader.error().empty()) {
    return Invalid(event.type + ": " + reader.error(), payload);
  }
  event.raw = std::string(payload);
  return event;
}

std::string FormatEventLine(const Event& e) {
  if (e.Is(event_type::kMsg) || e.Is(event_type::kAccepted)) {
    std::string line = "[" + e.conv + " #" + std::to_string(e.seq) + "] " + e.from + "/" + e.dev +
                       ": " + Printable(e.body);
    return e.dup ? line + " (dup)" : line;
  }
  if (e.Is(event_type::kConv)) {
    return "[" + e.conv + "] " + e.kind + " conversation with " + JoinMembers(e.members) +
           (e.created ? " (created)" : "");
  }
  if (e.Is(event_type::kConvNew)) {
    return "[" + e.conv + "] new " + e.kind + " conversation with " + JoinMembers(e.members);
  }
  if (e.Is(event_type::kError)) {
    std::string line = "[error " + Printable(e.code) + "] " + Printable(e.message);
    if (!e.cmid.empty()) line += " (cmid " + e.cmid + ")";
    return line;
  }
  if (e.Is(event_type::kInvalid)) return "[invalid event] " + Printable(e.message);
  if (e.Is(event_type::kConnectionLost)) return "[connection lost] " + Printable(e.message);
  return "[" + Printable(e.type) + "] " + Printable(e.raw);
}

}  // namespace chat::client
