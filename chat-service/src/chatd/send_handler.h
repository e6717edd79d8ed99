// `send` and `conv.create`: direct conversations, sequencing, dedupe and the
// fan-out of a message. Writer thread only.
#pragma once

#include "chatd/write_context.h"

namespace chat {

void HandleSend(WriteContext& ctx, const Command& command, const SendCommand& send);
void HandleCreateDirect(WriteContext& ctx, const Command& command,
                        const CreateDirectCommand& create);

}  // namespace chat
