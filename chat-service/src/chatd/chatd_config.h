// chatd's configuration file (deploy/chatd.conf documents every key).
#pragma once

#include <optional>
#include <string>

#include "chat/token.h"

namespace chat {

struct ChatdConfig {
  std::string broker_host = "127.0.0.1";
  int broker_port = 1883;
  std::string db_path;
  std::string key_file;
  SigningKey key;
  std::size_t max_body_bytes = 16384;
  std::size_t max_group_members = 1000;
  std::string log_level = "info";
};

// Loads and validates `path`, including reading the key file. On failure
// returns nullopt with an error that names the file and the key.
std::optional<ChatdConfig> LoadChatdConfig(const std::string& path, std::string* error);

}  // namespace chat
