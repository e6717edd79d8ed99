// This is an internal header of the client library, not for apps.
// Commands a device publishes on chat/up/{u}/{d} (docs/PROTOCOL.md section 5),
// encoded byte for byte as the protocol documents them, and the ids they carry.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "chat/client/chat_client.h"
#include "chat/client/status.h"

namespace chat::client {

// Checks a send against the protocol's field rules (ids, one of to/conv,
// UTF-8 body; `cmid` must be set). The server's size limit is not known here.
Status ValidateSend(const SendRequest& request);

// {"type":"send","req_id":..,"to"|"conv":..,"cmid":..,"body":..}, keys in
// this order, req_id only when set; without req_id and `to`, the compact
// form ["send",conv,cmid,body]. Precondition: ValidateSend(request).ok().
std::string EncodeSend(const SendRequest& request);

// {"type":"conv.create","req_id":..,"with":..}. Precondition: valid ids.
std::string EncodeConvCreate(std::string_view req_id, std::string_view with);

// Group commands (PROTOCOL.md "Groups"). Validate* check ids, title (1..200
// bytes of UTF-8), role ("admin" or "member") and that lists are non-empty;
// Encode* require valid input and write the keys in the protocol's order.
Status ValidateGroupCreate(std::string_view title, const std::vector<std::string>& members);
std::string EncodeGroupCreate(std::string_view req_id, std::string_view title,
                              const std::vector<std::string>& members);
// `type` is protocol::command::kGroupAdd or kGroupRemove.
Status ValidateGroupMembers(std::string_view conv, const std::vector<std::string>& users);
std::string EncodeGroupMembers(std::string_view type, std::string_view req_id,
                               std::string_view conv, const std::vector<std::string>& users);
std::string EncodeGroupLeave(std::string_view req_id, std::string_view conv);
Status ValidateGroupRole(std::string_view conv, std::string_view user, std::string_view role);
std::string EncodeGroupRole(std::string_view req_id, std::string_view conv, std::string_view user,
                            std::string_view role);

// {"type":"sync","req_id":..,"cursors":{conv: seq, ...},"limit":..}.
std::string EncodeSync(std::string_view req_id, const std::map<std::string, int64_t>& cursors,
                       int limit);

// History: `before` 0 means "after the last"; `limit` 0 means the server's default.
Status ValidateHistory(std::string_view conv, int64_t before, int limit);
std::string EncodeHistory(std::string_view req_id, std::string_view conv, int64_t before,
                          int limit);

// Receipts. `type` of EncodeCursor is protocol::command::kDelivered or
// kRead; seq >= 1. In the compact form [type,conv,seq].
Status ValidateConvSeq(std::string_view conv, int64_t seq);
std::string EncodeCursor(std::string_view type, std::string_view conv, int64_t seq);
std::string EncodeReceipts(std::string_view req_id, std::string_view conv, int64_t seq);
std::string EncodeTyping(std::string_view conv);

// Privacy (PROTOCOL.md "Privacy"). `type` of EncodeBlock is
// protocol::command::kBlock or kUnblock; of EncodeMute, kMute or kUnmute
// (`until_ms` > 0 only for kMute; 0: no `until`, muted until unmuted).
// EncodeQuery writes a request with no field but its type (blocks,
// settings.get).
Status ValidateUser(std::string_view user);
std::string EncodeBlock(std::string_view type, std::string_view req_id, std::string_view user);
Status ValidateMute(std::string_view conv, int64_t until_ms);
std::string EncodeMute(std::string_view type, std::string_view req_id, std::string_view conv,
                       int64_t until_ms);
// At least one field set; `presence` one of "everyone", "contacts", "nobody";
// `push_preview` one of "full", "sender", "none".
Status ValidateSettingsChange(const SettingsChange& change);
std::string EncodeSettingsSet(std::string_view req_id, const SettingsChange& change);
std::string EncodeQuery(std::string_view type, std::string_view req_id);

// Presence of people (PROTOCOL.md "Presence of people"): valid ids, at most
// protocol::kMaxWatchedUsers distinct ones; an empty list stops watching.
// An empty `req_id` is left out.
Status ValidateWatchedUsers(const std::vector<std::string>& users);
std::string EncodePresenceWatch(std::string_view req_id, const std::vector<std::string>& users);
// {"type":"presence.set","state":"away"|"online"}.
std::string EncodePresenceSet(bool away);

// Push (PROTOCOL.md "Push"): the platform fcm or apns, the app id and the
// token in the platform's format (chat/ids.h), `sandbox` for apns only.
// EncodePushRegister writes `sandbox` for apns only; push.unregister is an
// EncodeQuery.
Status ValidatePushRegistration(const PushRegistration& registration);
std::string EncodePushRegister(std::string_view req_id, const PushRegistration& registration);

// A request id given by the caller must match [A-Za-z0-9._:-]{1,64}.
Status ValidateReqId(std::string_view req_id);

// A fresh random client message id: 16 base62 digits (about 95 bits), which
// match [A-Za-z0-9._:-]{1,64}.
std::string NewClientMessageId();

// A fresh random request id: "r" followed by 16 lowercase hex digits.
std::string NewRequestId();

}  // namespace chat::client
