// The presence payloads between the broker plugin and the services
// (docs/PROTOCOL.md section 4, "Presence"): the plugin encodes them, chatd
// decodes them, both with these functions.
//
//   chat/sys/presence/{u}      {"user":"bob","online":true,"devices":2,"device":"phone",
//                               "last_seen":T,"boot":B}
//                              (a departure adds "keepalive":K, and "timeout":true
//                               when the broker said its keepalive timed out)
//                              (a snapshot's state names the devices instead:
//                               "device_ids":["laptop","phone"], no "device")
//   chat/sys/broker (retained) {"boot":B}
//   chat/sys/broker (a page)   {"boot":B,"snapshot":{"after":"<id or empty>","until":"<id>",
//                               "users":N}}
//   $CONTROL/chat/v1/presence  {"after":"<id or empty>"}   (a snapshot page request)
//
// `boot` names the broker run that produced a state: a state from an earlier
// run (kept by broker persistence across a restart) is stale.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::presence {

// One user's state on one broker run.
struct UserState {
  std::string user;
  bool online = false;
  int64_t devices = 0;       // distinct devices with a live connection
  int64_t last_seen_ms = 0;  // the change's time: now while online, the departure when offline
  int64_t boot_ms = 0;
  std::string device = {};  // a change: the device that came or went; empty in a snapshot
  // A snapshot's state: the connected devices (absent from plugins before it).
  std::vector<std::string> device_ids = {};
  // A departure: the connection's keepalive in seconds (0: none, or unknown),
  // and whether the broker told the plugin that the keepalive timed out
  // (then `last_seen_ms` is already LastPacketBeforeTimeout).
  int64_t keepalive_s = 0;
  bool timed_out = false;

  bool operator==(const UserState&) const = default;
};

// The users (after, until] of a snapshot page; no `until` on the last page.
// `users`: how many states follow the mark (absent from plugins before it).
struct PageRange {
  std::string after;
  std::optional<std::string> until;
  std::optional<int64_t> users = std::nullopt;

  bool operator==(const PageRange&) const = default;
};

// The broker run, and on a snapshot page the range it covers.
struct BrokerMark {
  int64_t boot_ms = 0;
  std::optional<PageRange> snapshot;

  bool operator==(const BrokerMark&) const = default;
};

// When a connection the broker ended by keepalive timeout at `noticed_ms`
// sent its last packet. Mosquitto 2.0 ends a client whose last packet is
// more than 1.5 x its keepalive (whole seconds) old and looks every 5 s, so
// that packet came 1.5 x keepalive + 0..6 s before the broker noticed: the
// middle of that range, off by 3 s at most.
int64_t LastPacketBeforeTimeout(int64_t noticed_ms, int64_t keepalive_s);

// Written without a JSON tree: the plugin sends one on every connect.
std::string EncodeUserState(const UserState& state);
// nullopt unless a JSON object with a valid `user` id, boolean `online` and
// integer `boot` (`devices` and `last_seen` default to 0).
std::optional<UserState> ParseUserState(std::string_view payload);

std::string EncodeBrokerMark(const BrokerMark& mark);
// nullopt unless a JSON object with an integer `boot` and, when present, a
// well-formed `snapshot` (after "" or an id, until an id after it).
std::optional<BrokerMark> ParseBrokerMark(std::string_view payload);

std::string EncodeSnapshotRequest(std::string_view after);
// The `after` of a request ("" when absent, as in `{}`); nullopt when
// malformed (not an object, `after` not "" or a valid id).
std::optional<std::string> ParseSnapshotRequest(std::string_view payload);

// A kick request (`$CONTROL/chat/v1/kick`): {"user":"bob","device":"phone"}.
struct KickRequest {
  std::string user;
  std::string device;

  bool operator==(const KickRequest&) const = default;
};
std::string EncodeKickRequest(const KickRequest& request);
// nullopt unless an object with valid `user` and `device` ids.
std::optional<KickRequest> ParseKickRequest(std::string_view payload);

}  // namespace chat::presence
