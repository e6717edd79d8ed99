// Parsing and validation of device commands (docs/PROTOCOL.md section 5).
// Pure: no I/O, no store; checks only what the payload alone can tell.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "chat/topics.h"
#include "chatd/error_code.h"

namespace chat {

struct SendCommand {
  std::string conv;  // exactly one of conv and to is set
  std::string to;
  std::string cmid;
  std::string body;
};

struct CreateDirectCommand {
  std::string with;
};

struct RejectedCommand {
  ErrorCode code;
  std::string message;
};

// One command as read off chat/up/{u}/{d}. `sender` comes from the topic,
// which the broker plugin guarantees; the payload never names the sender.
struct Command {
  DeviceAddress sender;
  std::string req_id;  // empty when absent or unreadable
  std::string cmid;    // echoed in errors when readable
  std::variant<SendCommand, CreateDirectCommand, RejectedCommand> body;
};

struct CommandLimits {
  std::size_t max_body_bytes = 16384;
};

// Never throws on any input; bad input yields a RejectedCommand.
Command ParseCommand(const DeviceAddress& sender, std::string_view payload,
                     const CommandLimits& limits);

}  // namespace chat
