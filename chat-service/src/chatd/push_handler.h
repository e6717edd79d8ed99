// Push notifications on chatd's write side (docs/ARCHITECTURE.md, "The push
// path"): devices register their push tokens, and every stored message or
// read owes push jobs to the devices that are not connected. The jobs are
// written in the batch's transaction, so a message is never stored without
// its pushes nor a push owed for a message that was rolled back; pushd sends
// them. Writer thread only.
#pragma once

#include <string>

#include "chatd/write_context.h"
#include "store/records.h"

namespace chat {

void HandlePushRegister(WriteContext& ctx, const Command& command, const PushRegisterCommand& push);
void HandlePushUnregister(WriteContext& ctx, const Command& command);

// After `message` is stored: a job for every device with a push token of
// every other member who has not muted the conversation and whose device is
// not connected. An `alert` when none of the user's devices is connected, a
// silent `badge` when the user is active on another one.
void PlanMessagePushes(WriteContext& ctx, const StoredMessage& message);

// After `user` read `conv` up to `seq` on `device` (empty: unknown): a silent
// `clear` for every other device of the user with a push token that is not
// connected, so that notifications read elsewhere disappear.
void PlanReadPushes(WriteContext& ctx, const std::string& user, const std::string& device,
                    const std::string& conv, int64_t seq);

}  // namespace chat
