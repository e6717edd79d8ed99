// Parsing and validation of device commands (docs/PROTOCOL.md section 5).
// Pure: no I/O, no store; checks only what the payload alone can tell.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "chat/protocol.h"
#include "chat/topics.h"
#include "store/privacy_store.h"

namespace chat {

// The wire error codes (docs/PROTOCOL.md section 7).
using protocol::ErrorCode;
using protocol::ErrorCodeName;

struct SendCommand {
  std::string conv;  // exactly one of conv and to is set
  std::string to;
  std::string cmid;
  std::string body;
};

struct CreateDirectCommand {
  std::string with;
};

struct GroupCreateCommand {
  std::string title;
  std::vector<std::string> members;  // distinct, sender excluded
};

// group.add, group.remove, group.leave and group.role.
struct GroupChangeCommand {
  enum class Action { kAdd, kRemove, kLeave, kSetRole };
  Action action;
  std::string conv;
  std::vector<std::string> users;  // add, remove
  std::string user;                // role
  std::string role;                // role: "admin" or "member"
};

struct SyncCommand {
  std::map<std::string, int64_t> cursors;
  int64_t limit = protocol::kDefaultSyncLimit;
};

struct HistoryCommand {
  std::string conv;
  int64_t before = 0;  // 0: after the last message
  int64_t limit = protocol::kDefaultHistoryLimit;
};

// delivered and read: receipt cursor moves.
struct CursorCommand {
  bool read = false;  // false: delivered
  std::string conv;
  int64_t seq = 0;
};

struct ReceiptsQueryCommand {
  std::string conv;
  int64_t seq = 0;
};

struct TypingCommand {
  std::string conv;
};

// presence.watch: the users this device watches from now on (replaces the
// list before; empty: none).
struct PresenceWatchCommand {
  std::vector<std::string> users;  // distinct, at most protocol::kMaxWatchedUsers
};

// presence.set: the app is in the background (away) or in front again.
struct PresenceSetCommand {
  bool away = false;
};

// Not a device command: users gone offline and when their last device
// left, for chatd's writer to store (never parsed from a payload).
struct LastSeenCommand {
  std::vector<std::pair<std::string, int64_t>> seen;  // user, Unix ms
};

// block and unblock.
struct BlockCommand {
  bool block = true;  // false: unblock
  std::string user;   // never the sender
};

// blocks: the list of users the sender has blocked.
struct BlocksQueryCommand {};

// mute and unmute.
struct MuteCommand {
  bool mute = true;  // false: unmute
  std::string conv;
  int64_t until_ms = 0;  // mute: Unix ms; 0 until unmuted
};

// settings.set: at least one is set; absent ones stay as they are.
struct SettingsSetCommand {
  std::optional<PresenceAudience> presence;
  std::optional<bool> read_receipts;
  std::optional<PushPreview> push_preview;
};

// settings.get.
struct SettingsGetCommand {};

// push.register: the sending device's push token, replacing its earlier one.
struct PushRegisterCommand {
  std::string platform;  // protocol::push_platform
  std::string app;
  bool sandbox = false;  // APNs only
  std::string token;
};

// push.unregister: the sending device gets no more pushes (logging out).
struct PushUnregisterCommand {};

struct RejectedCommand {
  ErrorCode code;
  std::string message;
};

// One command as read off chat/up/{u}/{d}. `sender` comes from the topic,
// which the broker plugin guarantees; the payload never names the sender.
struct Command {
  DeviceAddress sender;
  std::string req_id;  // empty when absent or unreadable
  std::string cmid;    // echoed in errors when readable
  std::variant<SendCommand, CreateDirectCommand, GroupCreateCommand, GroupChangeCommand,
               SyncCommand, HistoryCommand, CursorCommand, ReceiptsQueryCommand, TypingCommand,
               PresenceWatchCommand, PresenceSetCommand, LastSeenCommand, BlockCommand,
               BlocksQueryCommand, MuteCommand, SettingsSetCommand, SettingsGetCommand,
               PushRegisterCommand, PushUnregisterCommand, RejectedCommand>
      body;
  // Set by ParseCommand from its table of command types.
  bool query = false;

  // Queries and typing read only; chatd answers them off the writer thread.
  bool IsQuery() const;
};

struct CommandLimits {
  std::size_t max_body_bytes = protocol::kDefaultMaxBodyBytes;
  std::size_t max_group_members = protocol::kDefaultMaxGroupMembers;
};

// Never throws on any input; bad input yields a RejectedCommand.
Command ParseCommand(const DeviceAddress& sender, std::string_view payload,
                     const CommandLimits& limits);

}  // namespace chat
