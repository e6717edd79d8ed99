// Which device connections a broker ended by keepalive timeout, read from the
// broker's own notice log, so that their departures are dated at the
// device's last packet rather than when the broker noticed (docs/PROTOCOL.md,
// "Presence of people"). Mosquitto 2.0.11 does not tell plugins why a
// connection ended, but with `log_dest topic` it publishes every notice line
// on $SYS/broker/log/N, among them
//
//   1700000000: Client alice:phone has exceeded timeout, disconnecting.
//
// just before the plugin's departure for that connection, on the same
// connection to chatd. Without `log_dest topic` nothing arrives and
// departures keep the time the broker noticed them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chatd/presence_view.h"  // PresenceTransition

namespace chat {

// The client id of a notice line saying that the broker ended the client by
// keepalive timeout; nullopt for any other line. The line may start with a
// timestamp in any `log_timestamp_format`.
std::optional<std::string> TimedOutClientId(std::string_view log_line);

// One per broker node, each used only on the Paho thread that delivers that
// node's messages; nothing is shared between nodes, so no lock.
class KeepaliveTimeouts {
 public:
  // Timeouts whose departure never came (a service or an unauthenticated
  // client) are forgotten after this long, and beyond this many.
  static constexpr int64_t kForgetAfterMs = 60'000;
  static constexpr std::size_t kMaxPending = 10'000;

  // Departures seen without a single log line before the node is taken
  // to lack `log_dest topic` (every disconnect logs a notice line).
  static constexpr uint64_t kDeparturesBeforeWarning = 3;

  // Takes one line of the node's notice log; false when it is no timeout.
  bool OnLogLine(std::string_view line, int64_t now_ms);
  // Dates each departure in `changed` that a logged timeout caused at the
  // device's last packet (presence::LastPacketBeforeTimeout), once.
  void Backdate(std::vector<PresenceTransition>& changed);
  // True once, when kDeparturesBeforeWarning device departures came and not
  // one log line: the broker does not publish its log, and the caller
  // should tell the operator.
  bool TakeLogMissing();

  std::size_t pending() const { return noticed_.size(); }

 private:
  void Forget(int64_t now_ms);

  std::map<std::string, int64_t, std::less<>> noticed_;  // "{u}:{d}" -> when the line came
  uint64_t lines_ = 0;                                   // log lines of any kind
  uint64_t departures_ = 0;                              // device departures
  bool warned_ = false;
};

}  // namespace chat
