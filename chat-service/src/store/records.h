// Plain records exchanged between the stores and chatd's logic.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace chat {

struct StoredMessage {
  std::string conv;
  int64_t seq = 0;
  int64_t ts_ms = 0;
  std::string from;
  std::string device;
  std::string cmid;
  std::string body;
  std::string kind = "user";  // "user" or "system"
  std::string event;          // system messages: the JSON event object
};

struct ConversationInfo {
  std::string conv;
  std::string kind;                          // "direct" or "group"
  std::vector<std::string> members;          // current members, ascending
  std::string title;                         // groups only
  std::map<std::string, std::string> roles;  // groups only: user -> owner|admin|member
};

// A group command a device applied with a req_id (table group_requests).
struct AppliedGroupRequest {
  std::string command;      // group.create, group.add, ...
  std::string fingerprint;  // digest of the command's type and parameters
  std::string conv;         // the group it created or changed
  int64_t created_ms = 0;
};

// One user's standing in one conversation.
struct Membership {
  std::string role;
  int64_t joined_seq = 1;
  std::optional<int64_t> removed_seq;  // set once removed or left
  int64_t delivered_seq = 0;
  int64_t read_seq = 0;
  int64_t joined_ms = 0;
  bool active() const { return !removed_seq.has_value(); }
  // The last seq this member may see, given the conversation's last seq.
  int64_t VisibleUpTo(int64_t last_seq) const { return removed_seq ? *removed_seq : last_seq; }
};

}  // namespace chat
