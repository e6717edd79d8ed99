// The keys every service daemon (chatd, pushd) reads from its config file:
// where the broker is, the database, the signing key and the log level,
// parsed once here so they mean the same in every daemon.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "chat/config_file.h"
#include "chat/status.h"
#include "chat/token.h"

namespace chat {

struct ServiceConfig {
  std::string broker_host = "127.0.0.1";  // broker_host
  int broker_port = 1883;                 // broker_port
  std::string db_path;                    // db_path (required), relative to the file
  std::string key_file;                   // key_file (required), relative to the file
  SigningKey key;                         // what key_file holds
  std::string log_level = "info";         // log_level: debug, info, warn or error

  // The keys above, for ConfigFile::Load's list of known keys.
  static const std::set<std::string>& Keys();
  // Reads the keys above from `file` and the key file it names. Errors name
  // the file and the key.
  Status Read(const ConfigFile& file);
};

}  // namespace chat
