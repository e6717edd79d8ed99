// chatd configuration loading.
#include "chatd/chatd_config.h"

#include "chat/config_file.h"
#include "chat/key_file.h"
#include "chat/protocol.h"

namespace chat {

std::optional<ChatdConfig> LoadChatdConfig(const std::string& path, std::string* error) {
  static const std::set<std::string> kKeys = {"broker_host",      "broker_port",    "db_path",
                                              "key_file",         "max_body_bytes", "log_level",
                                              "max_group_members"};
  auto file = ConfigFile::Load(path, kKeys, error);
  if (!file) return std::nullopt;
  ChatdConfig config;
  if (auto host = file->String("broker_host")) config.broker_host = *host;
  error->clear();
  if (auto port = file->Integer("broker_port", 1, 65535, error))
    config.broker_port = static_cast<int>(*port);
  if (!error->empty()) return std::nullopt;
  if (auto max = file->Integer("max_body_bytes", 1, protocol::kDefaultMaxCommandBytes, error))
    config.max_body_bytes = static_cast<std::size_t>(*max);
  if (!error->empty()) return std::nullopt;
  if (auto max = file->Integer("max_group_members", 2, 100000, error))
    config.max_group_members = static_cast<std::size_t>(*max);
  if (!error->empty()) return std::nullopt;
  if (auto level = file->String("log_level")) {
    if (*level != "debug" && *level != "info" && *level != "warn" && *level != "error") {
      *error =
          path + ": key 'log_level': expected debug, info, warn or error, got '" + *level + "'";
      return std::nullopt;
    }
    config.log_level = *level;
  }
  auto db = file->RequiredString("db_path", error);
  if (!db) return std::nullopt;
  config.db_path = file->ResolvePath(*db);
  auto key_file = file->RequiredString("key_file", error);
  if (!key_file) return std::nullopt;
  config.key_file = file->ResolvePath(*key_file);
  std::string key_error;
  auto key = LoadKeyFile(config.key_file, &key_error);
  if (!key) {
    *error = path + ": key 'key_file': " + key_error;
    return std::nullopt;
  }
  config.key = std::move(*key);
  return config;
}

}  // namespace chat
