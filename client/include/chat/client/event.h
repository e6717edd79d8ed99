// Events the backend sends to a device (docs/PROTOCOL.md section 6), parsed
// into one typed value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chat::client {

// Values of Event::type. The wire types are the protocol's; kInvalid and
// kConnectionLost are made by the client itself and never sent by the backend.
namespace event_type {
inline constexpr std::string_view kMsg = "msg";
inline constexpr std::string_view kAccepted = "accepted";
inline constexpr std::string_view kConv = "conv";
inline constexpr std::string_view kConvNew = "conv.new";
inline constexpr std::string_view kError = "error";
// A payload that is not a protocol event; `message` says why, `raw` holds it.
inline constexpr std::string_view kInvalid = "invalid";
// The connection to the broker was lost; `message` holds the cause.
inline constexpr std::string_view kConnectionLost = "connection.lost";
}  // namespace event_type

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
  bool dup = false;                  // accepted: this cmid had been accepted before
  std::string code;                  // error: stable error code (PROTOCOL.md section 7)
  std::string message;               // error: human text; invalid/connection.lost: the reason
  std::string kind;                  // conv, conv.new: "direct" ...
  std::vector<std::string> members;  // conv, conv.new
  bool created = false;              // conv: the conversation was created by this request
  std::string topic;  // the MQTT topic it arrived on (set by the receiver, not the parser)
  std::string raw;    // the payload exactly as received

  bool Is(std::string_view t) const { return type == t; }
};

// Parses one MQTT payload from the backend. Never throws: anything that is
// not a JSON object with a string `type`, a known field of the wrong JSON type
// or id format, or a known event missing a field PROTOCOL.md requires yields
// an Event of type "invalid" whose `message` names the problem.
Event ParseEvent(std::string_view payload);

// One human-readable line for a terminal, e.g. "[c1 #42] alice/phone: hi".
std::string FormatEventLine(const Event& event);

}  // namespace chat::client
