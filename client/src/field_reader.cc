// FieldReader: typed, validated access to the fields of one protocol object.
#include "field_reader.h"

#include "chat/ids.h"

namespace chat::client::internal {

void FieldReader::Text(const char* name, std::string& out, Format format) {
  const json* value = Find(name);
  if (value == nullptr) return;
  if (!value->is_string()) return Fail(name, "is not a string");
  out = value->get<std::string>();
  if (format == Format::kId && !IsValidId(out)) return Fail(name, "is not a valid id");
  if (format == Format::kClientToken && !IsValidClientToken(out)) {
    return Fail(name, "is not a valid client token");
  }
}

namespace {
bool IsInt64(const nlohmann::json& value) {
  return value.is_number_integer() &&
         !(value.is_number_unsigned() && value.get<uint64_t>() > uint64_t{INT64_MAX});
}
}  // namespace

void FieldReader::Integer(const char* name, int64_t& out, int64_t min) {
  const json* value = Find(name);
  if (value == nullptr) return;
  if (!IsInt64(*value)) return Fail(name, "is not a 64-bit integer");
  out = value->get<int64_t>();
  if (out < min) return Fail(name, "is out of range");
}

void FieldReader::Integer(const char* name, std::optional<int64_t>& out, int64_t min) {
  if (Find(name) == nullptr) return;
  int64_t value = 0;
  Integer(name, value, min);
  out = value;
}

void FieldReader::Boolean(const char* name, bool& out) {
  const json* value = Find(name);
  if (value == nullptr) return;
  if (!value->is_boolean()) return Fail(name, "is not a boolean");
  out = value->get<bool>();
}

void FieldReader::IdList(const char* name, std::vector<std::string>& out) {
  const json* value = Array(name);
  if (value == nullptr) return;
  for (const json& item : *value) {
    if (!item.is_string() || !IsValidId(item.get_ref<const std::string&>())) {
      return Fail(name, "holds something other than ids");
    }
    out.push_back(item.get<std::string>());
  }
}

void FieldReader::TextMap(const char* name, std::map<std::string, std::string>& out) {
  const json* value = Object(name);
  if (value == nullptr) return;
  for (const auto& [key, item] : value->items()) {
    if (!IsValidId(key) || !item.is_string()) return Fail(name, "is not a map of id to text");
    out[key] = item.get<std::string>();
  }
}

void FieldReader::IntegerMap(const char* name, std::map<std::string, int64_t>& out) {
  const json* value = Object(name);
  if (value == nullptr) return;
  for (const auto& [key, item] : value->items()) {
    if (!IsValidId(key) || !IsInt64(item) || item.get<int64_t>() < 0) {
      return Fail(name, "is not a map of id to seq");
    }
    out[key] = item.get<int64_t>();
  }
}

const nlohmann::json* FieldReader::Array(const char* name) {
  const json* value = Find(name);
  if (value == nullptr) return nullptr;
  if (!value->is_array()) {
    Fail(name, "is not an array");
    return nullptr;
  }
  return value;
}

const nlohmann::json* FieldReader::Object(const char* name) {
  const json* value = Find(name);
  if (value == nullptr) return nullptr;
  if (!value->is_object()) {
    Fail(name, "is not an object");
    return nullptr;
  }
  return value;
}

void FieldReader::Require(std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (Find(name) == nullptr) return Fail(name, "is missing");
  }
}

void FieldReader::Fail(const std::string& name, const std::string& problem) {
  if (error_.empty()) error_ = "field '" + name + "' " + problem;
}

const nlohmann::json* FieldReader::Find(const char* name) const {
  auto it = object_.find(name);
  return it == object_.end() ? nullptr : &*it;
}

}  // namespace chat::client::internal
