// The config keys shared by the service daemons.
#include "chat/service_config.h"

#include "chat/key_file.h"
#include "chat/store_target.h"

namespace chat {

const std::set<std::string>& ServiceConfig::Keys() {
  static const std::set<std::string> keys = {"broker_host", "broker_port", "db_path", "key_file",
                                             "log_level"};
  return keys;
}

Status ServiceConfig::Read(const ConfigFile& file) {
  if (auto host = file.String("broker_host")) {
    if (host->empty()) return Status::InvalidArgument(file.path() + ": key 'broker_host' is empty");
    broker_host = *host;
  }
  int64_t port = broker_port;
  if (Status s = file.Integer("broker_port", 1, 65535, &port); !s.ok()) return s;
  broker_port = static_cast<int>(port);
  if (Status s = file.OneOf("log_level", {"debug", "info", "warn", "error"}, &log_level); !s.ok()) {
    return s;
  }
  StatusOr<std::string> db = file.RequiredString("db_path");
  if (!db.ok()) return db.status();
  db_path = IsPostgresUrl(*db) ? *db : file.ResolvePath(*db);
  StatusOr<std::string> key_path = file.RequiredString("key_file");
  if (!key_path.ok()) return key_path.status();
  key_file = file.ResolvePath(*key_path);
  StatusOr<SigningKey> loaded = LoadKeyFile(key_file);
  if (!loaded.ok()) {
    return Status::InvalidArgument(file.path() + ": key 'key_file': " + loaded.status().message());
  }
  key = std::move(*loaded);
  return Status::Ok();
}

}  // namespace chat
