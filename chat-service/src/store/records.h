// Plain records exchanged between the stores and chatd's logic.
#pragma once

#include <cstdint>
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
};

struct ConversationInfo {
  std::string conv;
  std::string kind;  // "direct" or "group"
  std::vector<std::string> members;
};

}  // namespace chat
