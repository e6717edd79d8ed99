// Loading and validation of pushd's configuration file.
#include "pushd_config.h"

#include <set>

#include "chat/config_file.h"
#include "chat/key_file.h"

namespace chat {

namespace {
const std::set<std::string> kKnownKeys = {"broker_host", "broker_port", "db_path", "key_file",
                                          "log_level"};
const std::set<std::string> kLogLevels = {"debug", "info", "warn", "error"};
}  // namespace

std::optional<PushdConfig> LoadPushdConfig(const std::string& path, std::string* error) {
  auto file = ConfigFile::Load(path, kKnownKeys, error);
  if (!file) return std::nullopt;

  PushdConfig config;
  if (auto host = file->String("broker_host")) {
    if (host->empty()) {
      *error = path + ": key 'broker_host' is empty";
      return std::nullopt;
    }
    config.broker_host = *host;
  }
  error->clear();
  if (auto port = file->Integer("broker_port", 1, 65535, error)) {
    config.broker_port = *port;
  } else if (!error->empty()) {
    return std::nullopt;
  }
  if (auto level = file->String("log_level")) {
    if (!kLogLevels.count(*level)) {
      *error =
          path + ": key 'log_level': expected debug, info, warn or error, got '" + *level + "'";
      return std::nullopt;
    }
    config.log_level = *level;
  }

  auto db_path = file->RequiredString("db_path", error);
  if (!db_path) return std::nullopt;
  config.db_path = file->ResolvePath(*db_path);

  auto key_file = file->RequiredString("key_file", error);
  if (!key_file) return std::nullopt;
  config.key_file = file->ResolvePath(*key_file);
  std::string key_error;
  if (!LoadKeyFile(config.key_file, &key_error)) {
    *error = path + ": key 'key_file': " + key_error;
    return std::nullopt;
  }
  return config;
}

}  // namespace chat
