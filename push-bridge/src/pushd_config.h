// pushd's configuration: the same `key = value` file format as chatd's, read
// and checked once at start so that a mistake stops pushd with a message that
// names the file and the key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace chat {

struct PushdConfig {
  std::string broker_host = "127.0.0.1";
  int64_t broker_port = 1883;
  std::string db_path;   // the chat database, resolved against the config file's folder
  std::string key_file;  // the deployment's signing key, ditto
  std::string log_level = "info";
};

// Reads and validates `path`: db_path and key_file are required, the key file
// must hold a valid key, broker_port must be a TCP port and log_level one of
// debug, info, warn, error (as chatd's). On failure returns nullopt and sets `error`.
std::optional<PushdConfig> LoadPushdConfig(const std::string& path, std::string* error);

}  // namespace chat
