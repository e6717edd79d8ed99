// The one-line terminal form of events (chat-cli chat, listen's stderr).
#include <cstdio>
#include <ctime>

#include "chat/client/event.h"

namespace chat::client {
namespace {

// Terminal output must not carry a peer's control characters (escape sequences).
std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (byte < 0x20 || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string FormatSystemChange(const SystemChange& c) {
  std::string line = c.action;
  if (!c.title.empty()) line += " \"" + Printable(c.title) + "\"";
  if (!c.users.empty()) line += ": " + Join(c.users);
  if (!c.user.empty()) line += ": " + c.user;
  if (!c.role.empty()) line += " -> " + Printable(c.role);
  return line;
}

std::string FormatMessage(const Event& e) {
  std::string head = "[" + e.conv + " #" + std::to_string(e.seq) + "] ";
  if (e.IsSystem()) return head + "* " + e.from + " " + FormatSystemChange(e.change);
  // Messages of other users name no device (PROTOCOL.md section 6).
  std::string sender = e.dev.empty() ? e.from : e.from + "/" + e.dev;
  std::string line = head + sender + ": " + Printable(e.body);
  return e.dup ? line + " (dup)" : line;
}

// "bob online, carol offline (last seen 2026-12-06 20:31:05 UTC)".
std::string FormatPeople(const std::vector<UserPresence>& people) {
  std::string out;
  for (const UserPresence& p : people) {
    out += (out.empty() ? "" : ", ") + p.user + " " + Printable(p.state);
    if (p.last_seen <= 0) continue;
    std::time_t seconds = static_cast<std::time_t>(p.last_seen / 1000);
    std::tm utc{};
    char when[32];
    if (gmtime_r(&seconds, &utc) && std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &utc)) {
      out += std::string(" (last seen ") + when + " UTC)";
    }
  }
  return out.empty() ? "nobody" : out;
}

std::string FormatConversation(const Event& e, const char* what) {
  std::string line = "[" + e.conv + "] " + what + e.kind + " conversation";
  if (!e.title.empty()) line += " \"" + Printable(e.title) + "\"";
  line += " with " + Join(e.members);
  return e.created ? line + " (created)" : line;
}

}  // namespace

std::string FormatEventLine(const Event& e) {
  using namespace event_type;
  if (e.IsSequenced()) return FormatMessage(e);
  if (e.Is(kConv)) return FormatConversation(e, "");
  if (e.Is(kConvNew)) return FormatConversation(e, "new ");
  if (e.Is(kError)) {
    std::string line = "[error " + Printable(e.code) + "] " + Printable(e.message);
    if (!e.cmid.empty()) line += " (cmid " + e.cmid + ")";
    return line;
  }
  if (e.Is(kReceipt)) {
    return "[" + e.conv + "] " + e.user + " received up to #" + std::to_string(e.delivered) +
           ", read up to #" + std::to_string(e.read);
  }
  if (e.Is(kReceipts)) {
    return "[" + e.conv + " #" + std::to_string(e.seq) + "] read by: " + Join(e.read_by) +
           "; received by: " + Join(e.delivered_to);
  }
  if (e.Is(kTyping)) return "[" + e.conv + "] " + e.user + " is typing";
  if (e.Is(kSync)) return "[sync] " + std::to_string(e.convs.size()) + " conversation(s)";
  if (e.Is(kHistory)) {
    return "[" + e.conv + "] history: " + std::to_string(e.messages.size()) + " message(s)" +
           (e.more ? ", more before" : "");
  }
  if (e.Is(kBlocks)) return "[blocks] " + (e.users.empty() ? "nobody" : Join(e.users));
  if (e.Is(kPresence)) return "[presence] " + FormatPeople(e.people);
  if (e.Is(kMute)) {
    if (!e.muted_until) return "[" + e.conv + "] not muted";
    return "[" + e.conv + "] muted " +
           (*e.muted_until == 0 ? "until unmuted" : "until " + std::to_string(*e.muted_until));
  }
  if (e.Is(kSettings)) {
    std::string line = "[settings] presence: " + Printable(e.presence) +
                       ", read receipts: " + (e.read_receipts ? "on" : "off");
    if (!e.push_preview.empty()) line += ", push preview: " + Printable(e.push_preview);
    return line;
  }
  if (e.Is(kPush)) {
    if (!e.registered) return "[push] not registered";
    return "[push] registered: " + Printable(e.platform) + " app " + Printable(e.app) +
           (e.sandbox ? " (sandbox)" : "");
  }
  if (e.Is(kInvalid)) return "[invalid event] " + Printable(e.message);
  if (e.Is(kConnectionLost)) return "[connection lost] " + Printable(e.message);
  if (e.Is(kConnectionRestored)) return "[connection restored] " + Printable(e.message);
  if (e.Is(kClientError)) return "[client error] " + Printable(e.message);
  if (e.Is(kSyncFailed)) return "[sync failed " + Printable(e.code) + "] " + Printable(e.message);
  return "[" + Printable(e.type) + "] " + Printable(e.raw);
}

}  // namespace chat::client
