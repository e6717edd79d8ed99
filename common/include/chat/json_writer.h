// Compact JSON objects written member by member. The events chatd sends for
// every message and the presence states the plugin sends for every connect
// are built this way: a JSON tree costs more than the rest of their work.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace chat {

// Appends `value` as a JSON string (RFC 8259): quotes, backslashes and
// control characters escaped, other UTF-8 verbatim. Invalid UTF-8 (a bug
// upstream: inputs are validated) becomes U+FFFD, never invalid JSON.
void AppendJsonString(std::string& out, std::string_view value);

// Writes one object in the order members are added; names must be unique
// (not checked). Usage: JsonObjectWriter().String("type", "msg").Finish().
class JsonObjectWriter {
 public:
  JsonObjectWriter& String(std::string_view name, std::string_view value);
  JsonObjectWriter& Integer(std::string_view name, int64_t value);
  JsonObjectWriter& Bool(std::string_view name, bool value);
  // A member whose value is `json`, which must be one valid JSON value.
  JsonObjectWriter& Raw(std::string_view name, std::string_view json);
  // The object's text. The writer is empty afterwards.
  std::string Finish();

 private:
  void Name(std::string_view name);

  std::string out_ = "{";
};

// Writes one array, value by value.
class JsonArrayWriter {
 public:
  JsonArrayWriter& String(std::string_view value);
  JsonArrayWriter& Integer(int64_t value);
  // `json` must be one valid JSON value.
  JsonArrayWriter& Raw(std::string_view json);
  bool empty() const { return out_.size() == 1; }
  // The array's text. The writer is empty afterwards.
  std::string Finish();

 private:
  std::string out_ = "[";
};

}  // namespace chat
