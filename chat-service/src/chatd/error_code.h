// The stable error codes of docs/PROTOCOL.md section 7.
#pragma once

#include <string_view>

namespace chat {

enum class ErrorCode {
  kBadJson,
  kInvalidUtf8,
  kUnknownType,
  kBadField,
  kBodyTooLarge,
  kInvalidRecipient,
  kUnknownUser,
  kUnknownConversation,
  kNotMember,
  kForbidden,
  kNotGroup,
  kGroupFull,
  kInternal,
};

// The wire name, e.g. "unknown_user".
std::string_view ErrorCodeName(ErrorCode code);

}  // namespace chat
