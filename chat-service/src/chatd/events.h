// Encoding of the events chatd sends to devices (docs/PROTOCOL.md section 6).
// Pure functions from values to JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chat/protocol.h"
#include "store/records.h"

namespace chat {

// The fields of a conversation shared by `conv`, `conv.new` and sync entries.
nlohmann::json ConversationJson(const ConversationInfo& info);
// Compact JSON text; invalid UTF-8 (a bug) is replaced rather than thrown.
std::string Dump(const nlohmann::json& value);

// {"type":"msg",...} for the recipients, and the entries of history and sync
// pages.
std::string EncodeMessage(const StoredMessage& message);
// The `accepted` event (the message, req_id and dup) for the sender's devices.
std::string EncodeAccepted(const StoredMessage& message, const std::string& req_id, bool dup);
// {"type":"conv",...,"req_id","created","dup"} reply to conv.create and group
// commands; `dup` marks the answer to a resent group command.
std::string EncodeConversationReply(const ConversationInfo& info, const std::string& req_id,
                                    bool created, bool dup);
// {"type":"conv.new",...} on each member's user topic.
std::string EncodeConversationNew(const ConversationInfo& info);
// {"type":"receipt",...} on every member's conversation topic.
std::string EncodeReceipt(const std::string& conv, const std::string& user, int64_t delivered,
                          int64_t read);

}  // namespace chat
