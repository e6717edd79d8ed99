// Encoding of the events chatd sends to devices (docs/PROTOCOL.md section 6).
// Pure functions from values to JSON text.
#pragma once

#include <string>

#include "chatd/error_code.h"
#include "store/records.h"

namespace chat {

// {"type":"msg",...} for the recipients.
std::string EncodeMessage(const StoredMessage& message);
// {"type":"accepted",...,"req_id","dup"} for the sender's devices.
std::string EncodeAccepted(const StoredMessage& message, const std::string& req_id, bool dup);
// {"type":"conv",...} reply to conv.create.
std::string EncodeConversationReply(const ConversationInfo& info, const std::string& req_id,
                                    bool created);
// {"type":"conv.new",...} on each member's user topic.
std::string EncodeConversationNew(const ConversationInfo& info);
// {"type":"error",...}; req_id and cmid are omitted when empty.
std::string EncodeError(ErrorCode code, const std::string& message, const std::string& req_id,
                        const std::string& cmid);

}  // namespace chat
