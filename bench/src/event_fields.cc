// Event fields by scanning the text.
#include "event_fields.h"

#include <charconv>

#include "chat/compact_form.h"

namespace bench {
namespace {

bool IsCompact(std::string_view event) { return !event.empty() && event.front() == '['; }

// The JSON text of the value starting at `pos` (a string with its quotes, or
// a number or literal), or "" when it is neither.
std::string_view ValueAt(std::string_view text, std::size_t pos) {
  if (pos >= text.size()) return {};
  if (text[pos] == '"') {
    for (std::size_t i = pos + 1; i < text.size(); ++i) {
      if (text[i] == '\\') {
        ++i;
      } else if (text[i] == '"') {
        return text.substr(pos, i + 1 - pos);
      }
    }
    return {};
  }
  std::size_t end = text.find_first_of(",]}", pos);
  return end == std::string_view::npos ? std::string_view{} : text.substr(pos, end - pos);
}

// The `index`-th value of a compact event (0: its type), as JSON text. The
// forms hold strings and numbers only, no nested arrays or objects.
std::string_view CompactValue(std::string_view event, std::size_t index) {
  std::size_t pos = 1;
  for (std::size_t i = 0;; ++i) {
    std::string_view value = ValueAt(event, pos);
    if (value.empty()) return {};
    if (i == index) return value;
    pos += value.size();
    if (pos >= event.size() || event[pos] != ',') return {};
    ++pos;
  }
}

// The JSON text of field `key` of a compact event, "" when its form has none.
std::string_view CompactField(std::string_view event, std::string_view key) {
  std::string_view type = CompactValue(event, 0);
  if (type.size() < 2) return {};
  if (key == "type") return type;
  auto fields = chat::compact::FieldsOf(type.substr(1, type.size() - 2));
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i] == key) return CompactValue(event, i + 1);
  }
  return {};
}

// The text of a JSON string value without its quotes (escapes kept).
std::string Unquoted(std::string_view value) {
  if (value.size() < 2 || value.front() != '"') return "";
  return std::string(value.substr(1, value.size() - 2));
}

}  // namespace

bool IsType(std::string_view event, std::string_view type) {
  if (IsCompact(event)) {
    std::string_view value = CompactValue(event, 0);
    return value.size() == type.size() + 2 && value.substr(1, type.size()) == type;
  }
  std::string needle;
  needle.append("\"type\":\"").append(type).append("\"");
  return event.find(needle) != std::string_view::npos;
}

std::string JsonStringField(std::string_view event, std::string_view key) {
  if (IsCompact(event)) return Unquoted(CompactField(event, key));
  std::string needle;
  needle.append("\"").append(key).append("\":");
  auto pos = event.find(needle);
  if (pos == std::string_view::npos) return "";
  return Unquoted(ValueAt(event, pos + needle.size()));
}

int64_t JsonIntField(std::string_view event, std::string_view key) {
  std::string_view text;
  if (IsCompact(event)) {
    text = CompactField(event, key);
  } else {
    std::string needle;
    needle.append("\"").append(key).append("\":");
    auto pos = event.find(needle);
    if (pos == std::string_view::npos) return 0;
    text = ValueAt(event, pos + needle.size());
  }
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace bench
