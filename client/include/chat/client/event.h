// This is a public header of the client library: it includes only public headers.
// Events the backend sends to a device (docs/PROTOCOL.md section 6), parsed
// into one typed value, and the events the client library makes itself.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/protocol.h"

namespace chat::client {

// Values of Event::type. The wire types are the protocol's (chat/protocol.h,
// named here too); the local ones are made by the client library and never
// sent by the backend.
namespace event_type {
using protocol::event::kAccepted;
using protocol::event::kBlocks;  // the users the user has blocked

using protocol::event::kConv;
using protocol::event::kConvNew;
using protocol::event::kError;
using protocol::event::kHead;  // consumed by the library: live copies were shed, it syncs
using protocol::event::kHistory;
using protocol::event::kMsg;
using protocol::event::kMute;      // a conversation's mute changed
using protocol::event::kPresence;  // watched users' presence: states now, or a change
using protocol::event::kPush;      // this device's push registration

using protocol::event::kReady;  // chatd is back: the library resent its outbox
using protocol::event::kReceipt;
using protocol::event::kReceipts;
using protocol::event::kSettings;  // the user's privacy settings

using protocol::event::kSync;  // wire reply; locally also: a sync round ended
using protocol::event::kTyping;
// Local: a payload that is not a protocol event; `message` says why, `raw` holds it.
inline constexpr std::string_view kInvalid = "invalid";
// Local: the connection to the broker was lost; `message` holds the cause.
// The library reconnects by itself (with backoff) after a successful Connect.
inline constexpr std::string_view kConnectionLost = "connection.lost";
// Local: the library reconnected, resubscribed, resent its outbox and started a sync.
inline constexpr std::string_view kConnectionRestored = "connection.restored";
// Local: a sync request failed; `code` and `message` say why. It is retried later.
inline constexpr std::string_view kSyncFailed = "sync.failed";
// Local: the library itself failed (e.g. the state file could not be
// written); `message` says why. Nothing already stored is lost.
inline constexpr std::string_view kClientError = "client.error";
}  // namespace event_type

// `event` of a system message (kind "system"): a change of a group.
struct SystemChange {
  std::string action;              // group.created, member.added, member.removed, ...
  std::vector<std::string> users;  // group.created, member.*
  std::string title;               // group.created
  std::string user;                // role.changed, owner.changed
  std::string role;                // role.changed
};

// One user's presence as a `presence` event tells it (PROTOCOL.md
// "Presence of people").
struct UserPresence {
  std::string user;
  std::string state;      // online, away, offline or unknown (protocol::presence_state)
  int64_t last_seen = 0;  // offline: Unix ms the last device left; 0 when never seen

  bool operator==(const UserPresence&) const = default;
};

// One conversation as sync lists it (and as the library keeps it up to date).
struct ConversationSummary {
  std::string conv;
  std::string kind;  // "direct" or "group"
  std::string title;
  std::vector<std::string> members;
  std::map<std::string, std::string> roles;
  int64_t last_seq = 0;  // the last seq visible to the user
  int64_t read_seq = 0;  // the user's read cursor
  int64_t unread = 0;    // messages after read_seq not sent by the user
  bool active = true;    // false once the user was removed or left
  // Set while the user has it muted: Unix ms, 0 until unmuted.
  std::optional<int64_t> muted_until = {};

  bool operator==(const ConversationSummary&) const = default;
};

// One event as received. Fields absent from the payload keep their defaults
// (empty strings, 0, false); `seq` starts at 1 on the wire, so 0 means absent.
// Events of types this client does not know keep their `type` and whatever
// known fields they carry, so that newer servers do not break older clients.
struct Event {
  std::string type;
  std::string conv;
  int64_t seq = 0;
  int64_t ts = 0;  // server commit time, Unix milliseconds (display only)
  std::string from;
  std::string dev;
  std::string cmid;
  std::string body;
  std::string req_id;
  bool dup = false;                  // accepted: this cmid had been accepted before;
                                     // conv: a resent group command, applied before
  std::string code;                  // error, sync.failed: stable error code (PROTOCOL.md 7)
  std::string message;               // error: human text; local events: the reason
  int64_t retry_after_ms = 0;        // error unavailable, rate_limited: when to try again
  std::string kind;                  // conv, conv.new: "direct"/"group"; msg: "system" or empty
  std::vector<std::string> members;  // conv, conv.new
  bool created = false;              // conv: the conversation was created by this request
  std::string title;                 // conv, conv.new of a group
  std::map<std::string, std::string> roles;  // conv of a group: user -> owner/admin/member
  SystemChange change;                       // msg with kind "system": its `event`
  std::string user;                          // receipt, typing: whose
  int64_t delivered = 0;                     // receipt: the user's delivered cursor
  int64_t read = 0;                          // receipt: the user's read cursor
  std::vector<std::string> read_by;          // receipts reply: `read`
  std::vector<std::string> delivered_to;     // receipts reply: `delivered`
  std::vector<std::string> users;            // blocks: every user blocked
  std::optional<int64_t> muted_until;        // mute: set while muted (0: until unmuted)
  std::string presence;                      // settings: everyone, contacts or nobody
  std::string push_preview;                  // settings: full, sender or none
  std::vector<UserPresence> people;          // presence: each user's state
  bool read_receipts = false;                // settings
  bool registered = false;                   // push: the device has a push token now
  std::string platform;                      // push when registered: fcm or apns
  std::string app;                           // push when registered: bundle id or package name
  bool sandbox = false;                      // push when registered: APNs development
  bool more = false;                         // sync, history: more pages exist
  std::vector<Event> messages;               // sync, history: each a parsed `msg`
  std::vector<ConversationSummary> convs;    // sync: the conversation list
  std::map<std::string, int64_t> cursors;    // sync: where the device stands after the page
  std::string topic;  // the MQTT topic it arrived on (empty for entries of a page)
  std::string raw;    // the payload exactly as received

  bool Is(std::string_view t) const { return type == t; }
  // msg and accepted: one position of a conversation's stream.
  bool IsSequenced() const { return type == event_type::kMsg || type == event_type::kAccepted; }
  bool IsSystem() const { return IsSequenced() && kind == protocol::kSystemKind; }
  // error, sync.failed: whether `code` is the wire name of `c`.
  bool HasCode(protocol::ErrorCode c) const { return code == protocol::ErrorCodeName(c); }
};

// Parses one MQTT payload from the backend, received on `topic`. An event on
// a conversation topic (chat/inbox/{u}/{c}) takes its `conv` from the topic,
// where the backend names it instead of repeating it in the payload. Never
// throws: anything that is not a JSON object with a string `type`, a known
// field of the wrong JSON type or id format, or a known event missing a field
// PROTOCOL.md requires yields an Event of type "invalid" whose `message`
// names the problem.
Event ParseEvent(std::string_view payload, std::string_view topic = {});

// An event the library makes itself (connection.lost, ...), with `message`.
Event MakeLocalEvent(std::string_view type, std::string message, std::string code = {});

// One human-readable line for a terminal, e.g. "[c1 #42] alice/phone: hi".
std::string FormatEventLine(const Event& event);

}  // namespace chat::client
