// Field readers shared by the command parsers: each returns an error
// description for a present-but-wrong field and leaves `out` untouched when
// the field is absent.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "chatd/command.h"

namespace chat::fields {

using json = nlohmann::json;

std::optional<RejectedCommand> String(const json& object, const char* field, std::string* out);
// A required conversation or user id.
std::optional<RejectedCommand> RequiredId(const json& object, const char* field, std::string* out);
// A required non-empty array of distinct user ids (at most `max`).
std::optional<RejectedCommand> UserList(const json& object, const char* field, std::size_t max,
                                        std::vector<std::string>* out);
// An integer in [min, max]; `required` decides whether absence is an error.
std::optional<RejectedCommand> Integer(const json& object, const char* field, int64_t min,
                                       int64_t max, bool required, int64_t* out);

RejectedCommand Reject(ErrorCode code, std::string message);

}  // namespace chat::fields
