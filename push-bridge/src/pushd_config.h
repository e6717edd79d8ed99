// pushd's configuration: the same `key = value` file format as chatd's, read
// and checked once at start so that a mistake stops pushd with a message that
// names the file and the key.
#pragma once

#include <string>

#include "chat/service_config.h"
#include "chat/status.h"

namespace chat {

// For now only the service keys (broker, database, key, log level).
struct PushdConfig : ServiceConfig {};

// Reads and validates `path`: db_path and key_file are required, the key file
// must hold a valid key, broker_port must be a TCP port and log_level one of
// debug, info, warn, error (as chatd's).
StatusOr<PushdConfig> LoadPushdConfig(const std::string& path);

}  // namespace chat
