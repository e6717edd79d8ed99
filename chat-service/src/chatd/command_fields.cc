// Shared field readers for command parsing.
#include "chatd/command_fields.h"

#include <set>

#include "chat/ids.h"

namespace chat::fields {

RejectedCommand Reject(ErrorCode code, std::string message) { return {code, std::move(message)}; }

std::optional<RejectedCommand> String(const json& object, const char* field, std::string* out) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    return Reject(ErrorCode::kBadField, std::string("'") + field + "' must be a string");
  }
  *out = it->get<std::string>();
  return std::nullopt;
}

std::optional<RejectedCommand> RequiredId(const json& object, const char* field, std::string* out) {
  if (auto error = String(object, field, out)) return error;
  if (!IsValidId(*out)) {
    return Reject(ErrorCode::kBadField,
                  std::string("'") + field + "' is required: an id of [a-z0-9_-]{1,64}");
  }
  return std::nullopt;
}

std::optional<RejectedCommand> UserList(const json& object, const char* field, std::size_t max,
                                        std::vector<std::string>* out) {
  auto it = object.find(field);
  std::string name = std::string("'") + field + "'";
  if (it == object.end() || !it->is_array() || it->empty()) {
    return Reject(ErrorCode::kBadField, name + " must be a non-empty array of user ids");
  }
  if (it->size() > max) {
    return Reject(ErrorCode::kGroupFull,
                  name + " lists more than " + std::to_string(max) + " users");
  }
  std::set<std::string> seen;
  for (const auto& item : *it) {
    if (!item.is_string() || !IsValidId(item.get_ref<const std::string&>())) {
      return Reject(ErrorCode::kBadField, name + " must hold user ids of [a-z0-9_-]{1,64}");
    }
    if (seen.insert(item.get<std::string>()).second) out->push_back(item.get<std::string>());
  }
  return std::nullopt;
}

std::optional<RejectedCommand> Integer(const json& object, const char* field, int64_t min,
                                       int64_t max, bool required, int64_t* out) {
  auto it = object.find(field);
  std::string name = std::string("'") + field + "'";
  if (it == object.end() || it->is_null()) {
    if (!required) return std::nullopt;
    return Reject(ErrorCode::kBadField, name + " is required");
  }
  if (!it->is_number_integer()) return Reject(ErrorCode::kBadField, name + " must be an integer");
  int64_t value = it->get<int64_t>();
  if (value < min || value > max) {
    return Reject(ErrorCode::kBadField,
                  name + " must be within " + std::to_string(min) + ".." + std::to_string(max));
  }
  *out = value;
  return std::nullopt;
}

}  // namespace chat::fields
