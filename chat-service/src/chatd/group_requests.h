// Idempotent group commands (docs/PROTOCOL.md, "Groups"): a group command
// that carries a req_id is remembered per (user, device, req_id), with a
// digest of its parameters and the group it named, in the batch transaction
// that applies it; a resend of it is then answered instead of applied again.
// Writer thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "chatd/write_context.h"

namespace chat {

// How long a device's req_id is remembered. The writer forgets older ones
// each time it remembers a new one (an index range delete, usually empty).
inline constexpr int64_t kGroupRequestRetentionMs = int64_t{7} * 24 * 60 * 60 * 1000;

// A stable digest (64-bit FNV-1a, hex) of a group command's type and
// parameters, user lists sorted; "" for any other command.
std::string GroupCommandFingerprint(const Command& command);

// The group `command` already created or changed: set when its device applied
// the same group command (same type and parameters) with the same req_id in
// the last kGroupRequestRetentionMs. Always nullopt without a req_id.
std::optional<std::string> FindAppliedGroupCommand(WriteContext& ctx, const Command& command,
                                                   int64_t now_ms);

// Remembers that group `command` was applied to `conv` (no-op without a req_id),
// replacing an earlier command of the device with the same req_id, and
// forgets requests older than the retention.
void RememberGroupCommand(WriteContext& ctx, const Command& command, const std::string& conv,
                          int64_t now_ms);

}  // namespace chat
