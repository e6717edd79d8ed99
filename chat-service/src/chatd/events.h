// Encoding of the events chatd sends to devices (docs/PROTOCOL.md section 6).
// Pure functions from values to JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chat/protocol.h"
#include "chatd/people_presence.h"
#include "store/privacy_store.h"
#include "store/push_store.h"
#include "store/records.h"

namespace chat {

// The fields of a conversation shared by `conv`, `conv.new` and sync entries.
nlohmann::json ConversationJson(const ConversationInfo& info);
// Compact JSON text; invalid UTF-8 (a bug) is replaced rather than thrown.
std::string Dump(const nlohmann::json& value);

// How much of a sequenced event a device needs where it gets it
// (docs/PROTOCOL.md section 6): no field the topic or the device already holds.
enum class EventForm {
  // On chat/inbox/{u}/{c}: the topic names the conversation.
  kLive,
  // On chat/dev/{u}/{d} or in a sync or history page: with `conv`.
  kListed,
  // kListed, for a device of the sender itself: with the sender's `dev` and
  // `cmid`, so the device that sent it recognises its own send.
  kOwn,
};

// {"type":"msg",...}: seq, ts, from, body (and kind, event for a system
// message), with what `form` adds. kLive and not a system message: the
// compact form ["msg",seq,ts,from,body] (chat/compact_form.h).
std::string EncodeMessage(const StoredMessage& message, EventForm form);
// The `accepted` answer to the device that sent `message`: seq, ts, cmid,
// req_id when the send had one, `dup: true` for a resend, and `conv` only
// when `name_conv` (the send named `to`: the device does not know the
// conversation yet). No body: the device has it. Without req_id, dup and
// conv: the compact form ["accepted",cmid,seq,ts].
std::string EncodeAccepted(const StoredMessage& message, const std::string& req_id, bool dup,
                           bool name_conv);
// {"type":"conv",...,"req_id","created","dup"} reply to conv.create and group
// commands; `dup` marks the answer to a resent group command.
std::string EncodeConversationReply(const ConversationInfo& info, const std::string& req_id,
                                    bool created, bool dup);
// {"type":"conv.new",...} on each member's user topic.
std::string EncodeConversationNew(const ConversationInfo& info);
// {"type":"receipt","user","delivered","read"} with `conv`; kLive: the
// compact form ["receipt",user,delivered,read].
std::string EncodeReceipt(const std::string& conv, const std::string& user, int64_t delivered,
                          int64_t read, EventForm form);
// {"type":"typing","user"} on the conversation topic.
std::string EncodeTyping(const std::string& user);
// {"type":"head","conv","seq"}: conversation `conv` holds messages up to
// `seq`; sent instead of live copies the paced lane shed (chatd/paced_lane.h).
std::string EncodeHead(const std::string& conv, int64_t seq);
// {"type":"push","registered":true,"platform","app","sandbox"} for a device
// with a push token, {"type":"push","registered":false} for one without.
std::string EncodePush(const std::optional<PushRegistration>& registration,
                       const std::string& req_id);
// {"type":"blocks","users":[...]}: every user the user has blocked; with
// req_id when it answers a request.
std::string EncodeBlocks(const std::vector<std::string>& users, const std::string& req_id);
// {"type":"mute","conv","muted_until"}: `muted_until` (Unix ms, 0: until
// unmuted) only while muted.
std::string EncodeMute(const std::string& conv, std::optional<int64_t> muted_until,
                       const std::string& req_id);
// {"type":"settings","presence","read_receipts","push_preview"}: the user's full settings.
std::string EncodeSettings(const PrivacySettings& settings, const std::string& req_id);

// {"type":"presence","req_id":...,"users":[{"user":"bob","state":"offline","last_seen":T},...]}:
// `req_id` only in the reply to a watch; `last_seen` only for offline users seen before.
std::string EncodePresence(const std::vector<PersonPresence>& users, const std::string& req_id);

}  // namespace chat
