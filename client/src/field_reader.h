// This is an internal header of the client library, not for apps.
// Reading the known fields of one JSON object of the protocol, remembering
// the first problem (internal to the event parser).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace chat::client::internal {

enum class Format { kAnyText, kId, kClientToken };

// Each reader method leaves its output untouched when the field is absent and
// records "field 'x' ..." when it is present but malformed; error() is the
// first such problem (empty when none). Not thread-safe; one per object.
class FieldReader {
 public:
  using json = nlohmann::json;

  explicit FieldReader(const json& object) : object_(object) {}

  void Text(const char* name, std::string& out, Format format);
  void Integer(const char* name, int64_t& out, int64_t min);
  // For a field whose absence means something of its own (muted_until: not muted).
  void Integer(const char* name, std::optional<int64_t>& out, int64_t min);
  void Boolean(const char* name, bool& out);
  void IdList(const char* name, std::vector<std::string>& out);
  // An object of id -> string (roles).
  void TextMap(const char* name, std::map<std::string, std::string>& out);
  // An object of id -> integer >= 0 (sync cursors).
  void IntegerMap(const char* name, std::map<std::string, int64_t>& out);
  // The field when it is an array (nullptr when absent or not one; the latter is recorded).
  const json* Array(const char* name);
  // The field when it is an object (nullptr when absent or not one; the latter is recorded).
  const json* Object(const char* name);

  void Require(std::initializer_list<const char*> names);
  // Records a problem found by the caller (e.g. in a nested value).
  void Fail(const std::string& name, const std::string& problem);

  const std::string& error() const { return error_; }

 private:
  const json* Find(const char* name) const;

  const json& object_;
  std::string error_;
};

}  // namespace chat::client::internal
