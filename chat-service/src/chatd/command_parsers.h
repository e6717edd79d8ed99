// One parser per command type, each from the command's JSON object to a
// command value or a rejection. Used by ParseCommand (command.cc).
#pragma once

#include "chatd/command.h"
#include "chatd/command_fields.h"

namespace chat::parsers {

using Parsed = decltype(Command::body);
using fields::json;

Parsed Send(const json& object, const std::string& sender, const CommandLimits& limits);
Parsed CreateDirect(const json& object, const std::string& sender);
Parsed GroupCreate(const json& object, const std::string& sender, const CommandLimits& limits);
Parsed GroupChange(const json& object, GroupChangeCommand::Action action,
                   const CommandLimits& limits);
Parsed Sync(const json& object);
Parsed History(const json& object);
Parsed Cursor(const json& object, bool read);
Parsed ReceiptsQuery(const json& object);
Parsed Typing(const json& object);

}  // namespace chat::parsers
