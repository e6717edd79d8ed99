// Keepalive timeouts from the broker's notice log.
#include "chatd/keepalive_timeouts.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "chat/presence_format.h"
#include "chat/topics.h"

namespace chat {

namespace {
// mosquitto 2.0 (loop.c, do_disconnect), with `connection_messages true`.
constexpr std::string_view kClientPrefix = "Client ";
constexpr std::string_view kTimeoutSuffix = " has exceeded timeout, disconnecting.";
}  // namespace

std::optional<std::string> TimedOutClientId(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (!line.ends_with(kTimeoutSuffix)) return std::nullopt;
  line.remove_suffix(kTimeoutSuffix.size());
  // The prefix follows the timestamp, if any; client ids hold no spaces here
  // ({u}:{d}, svc:{name}), so the last "Client " starts the id.
  std::size_t at = line.rfind(kClientPrefix);
  if (at == std::string_view::npos || (at > 0 && line[at - 1] != ' ')) return std::nullopt;
  line.remove_prefix(at + kClientPrefix.size());
  if (line.empty() || line.find(' ') != std::string_view::npos) return std::nullopt;
  return std::string(line);
}

bool KeepaliveTimeouts::OnLogLine(std::string_view line, int64_t now_ms) {
  ++lines_;
  std::optional<std::string> client_id = TimedOutClientId(line);
  if (!client_id) return false;
  Forget(now_ms);
  if (noticed_.size() >= kMaxPending) noticed_.erase(noticed_.begin());
  noticed_[*client_id] = now_ms;
  return true;
}

void KeepaliveTimeouts::Backdate(std::vector<PresenceTransition>& changed) {
  for (PresenceTransition& change : changed) {
    if (change.online || change.device.empty()) continue;
    ++departures_;
    if (noticed_.empty()) continue;
    auto it = noticed_.find(ClientIdFor(change.user, change.device));
    if (it == noticed_.end()) continue;
    noticed_.erase(it);
    if (change.timed_out || change.keepalive_s <= 0)
      continue;  // dated by the plugin, or no keepalive
    int64_t noticed_ms = change.left_ms;
    change.left_ms = presence::LastPacketBeforeTimeout(noticed_ms, change.keepalive_s);
    change.timed_out = true;
    spdlog::debug(
        "presence: {}/{} timed out (keepalive {} s): last heard at {}, {} ms before "
        "the broker noticed",
        change.user, change.device, change.keepalive_s, change.left_ms,
        noticed_ms - change.left_ms);
  }
}

bool KeepaliveTimeouts::TakeLogMissing() {
  if (warned_ || lines_ > 0 || departures_ < kDeparturesBeforeWarning) return false;
  warned_ = true;
  return true;
}

void KeepaliveTimeouts::Forget(int64_t now_ms) {
  std::erase_if(noticed_,
                [&](const auto& entry) { return entry.second < now_ms - kForgetAfterMs; });
}

}  // namespace chat
