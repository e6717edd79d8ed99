// Loading and validation of pushd's configuration file.
#include "pushd_config.h"

#include "chat/config_file.h"
#include "chat/store_target.h"

namespace chat {

namespace {

const std::set<std::string> kKeys = {
    "db_path",          "log_level",           "fcm_service_account",
    "fcm_endpoint",     "apns_key_file",       "apns_key_id",
    "apns_team_id",     "apns_endpoint",       "apns_sandbox_endpoint",
    "ca_file",          "alert_window_ms",     "alert_ttl_s",
    "poll_interval_ms", "retry_base_ms",       "retry_max_ms",
    "give_up_after_s",  "config_fault_tokens", "stats_interval_s"};

Status KeyError(const ConfigFile& file, const std::string& key, const std::string& what) {
  return Status::InvalidArgument(file.path() + ": key '" + key + "': " + what);
}

Status ReadEndpoint(const ConfigFile& file, const std::string& key, std::string* endpoint) {
  if (auto value = file.String(key)) {
    if (!value->starts_with("https://")) return KeyError(file, key, "must be an https:// URL");
    while (value->ends_with("/")) value->pop_back();
    *endpoint = *value;
  }
  return Status::Ok();
}

Status ReadProviders(const ConfigFile& file, PushdConfig& config) {
  push::Http2Options http;
  if (auto ca = file.String("ca_file")) http.ca_file = file.ResolvePath(*ca);
  config.fcm.http = http;
  config.apns.http = http;
  if (Status s = ReadEndpoint(file, "fcm_endpoint", &config.fcm.endpoint); !s.ok()) return s;
  if (Status s = ReadEndpoint(file, "apns_endpoint", &config.apns.production_endpoint); !s.ok()) {
    return s;
  }
  if (Status s = ReadEndpoint(file, "apns_sandbox_endpoint", &config.apns.sandbox_endpoint);
      !s.ok()) {
    return s;
  }
  if (auto account = file.String("fcm_service_account")) {
    auto loaded = push::LoadServiceAccount(file.ResolvePath(*account));
    if (!loaded.ok()) return KeyError(file, "fcm_service_account", loaded.status().message());
    config.fcm_account = std::move(*loaded);
  }
  auto key_file = file.String("apns_key_file");
  auto key_id = file.String("apns_key_id");
  auto team_id = file.String("apns_team_id");
  if (key_file || key_id || team_id) {
    for (const auto& [key, value] : {std::pair{"apns_key_file", key_file},
                                     {"apns_key_id", key_id},
                                     {"apns_team_id", team_id}}) {
      if (!value) {
        return KeyError(file, key,
                        "is required with the other APNs keys (apns_key_file, apns_key_id, "
                        "apns_team_id)");
      }
    }
    auto loaded = push::LoadApnsKey(file.ResolvePath(*key_file), *key_id, *team_id);
    if (!loaded.ok()) return KeyError(file, "apns_key_file", loaded.status().message());
    config.apns_key = std::move(*loaded);
  }
  return Status::Ok();
}

Status ReadTuning(const ConfigFile& file, PushdConfig& config) {
  constexpr int64_t kDay = 86400;
  int64_t give_up_s = config.retry.give_up_after_ms / 1000;
  for (const auto& [key, min, max, value] :
       {std::tuple{"alert_window_ms", int64_t{0}, 3600000 * int64_t{1}, &config.alert_window_ms},
        {"alert_ttl_s", int64_t{0}, 28 * kDay, &config.alert_ttl_s},
        {"poll_interval_ms", int64_t{10}, int64_t{10000}, &config.poll_interval_ms},
        {"retry_base_ms", int64_t{10}, int64_t{3600000}, &config.retry.base_ms},
        {"retry_max_ms", int64_t{10}, 86400000 * int64_t{1}, &config.retry.max_ms},
        {"give_up_after_s", int64_t{1}, 28 * kDay, &give_up_s},
        {"config_fault_tokens", int64_t{2}, int64_t{1000000}, &config.config_fault_tokens},
        {"stats_interval_s", int64_t{1}, kDay, &config.stats_interval_s}}) {
    if (Status s = file.Integer(key, min, max, value); !s.ok()) return s;
  }
  config.retry.give_up_after_ms = give_up_s * 1000;
  return Status::Ok();
}

}  // namespace

StatusOr<PushdConfig> LoadPushdConfig(const std::string& path) {
  StatusOr<ConfigFile> file = ConfigFile::Load(path, kKeys);
  if (!file.ok()) return file.status();
  PushdConfig config;
  if (Status s = file->OneOf("log_level", {"debug", "info", "warn", "error"}, &config.log_level);
      !s.ok()) {
    return s;
  }
  StatusOr<std::string> db = file->RequiredString("db_path");
  if (!db.ok()) return db.status();
  config.db_path = IsPostgresUrl(*db) ? *db : file->ResolvePath(*db);
  if (Status s = ReadProviders(*file, config); !s.ok()) return s;
  if (Status s = ReadTuning(*file, config); !s.ok()) return s;
  return config;
}

}  // namespace chat
