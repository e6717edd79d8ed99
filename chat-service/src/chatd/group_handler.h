// Group commands: creation, membership, roles, with who-may-do-what enforced
// and every change recorded as a system message in the conversation's
// stream (docs/PROTOCOL.md, "Groups"). Writer thread only.
#pragma once

#include "chatd/write_context.h"

namespace chat {

void HandleGroupCreate(WriteContext& ctx, const Command& command, const GroupCreateCommand& create);
void HandleGroupChange(WriteContext& ctx, const Command& command, const GroupChangeCommand& change);

}  // namespace chat
