// block/unblock, mute/unmute and settings.set (docs/PROTOCOL.md, "Privacy"):
// each stores the change and answers with the resulting state, to the
// requesting device (with its req_id) and to the user's other devices, so
// that a change made on one device shows on all. Applying one twice leaves
// the same state and the same answer, so a resend needs no memory of
// req_ids. Writer thread only.
#pragma once

#include "chatd/write_context.h"

namespace chat {

void HandleBlock(WriteContext& ctx, const Command& command, const BlockCommand& block);
void HandleMute(WriteContext& ctx, const Command& command, const MuteCommand& mute);
void HandleSettingsSet(WriteContext& ctx, const Command& command,
                       const SettingsSetCommand& settings);

}  // namespace chat
