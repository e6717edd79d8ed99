// pushd's configuration: the same `key = value` file format as chatd's, read
// and checked once at start so that a mistake (a missing or unreadable
// secret included) stops pushd with a message that names the file and the key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "apns_token.h"
#include "chat/status.h"
#include "fcm_credentials.h"
#include "provider_options.h"
#include "retry_policy.h"

namespace chat {

struct PushdConfig {
  std::string db_path;             // db_path (required): chatd's database
  std::string log_level = "info";  // log_level

  // FCM, when fcm_service_account is set: the key file, loaded and checked.
  std::optional<push::ServiceAccount> fcm_account;
  push::FcmOptions fcm;
  // APNs, when apns_key_file is set (with apns_key_id and apns_team_id).
  std::optional<push::ApnsKey> apns_key;
  push::ApnsOptions apns;

  int64_t alert_window_ms = 10000;  // at most one alert per device per window
  int64_t alert_ttl_s = 3600;       // how long a provider keeps an undelivered push
  int64_t poll_interval_ms = 100;   // how often the job table is read
  push::RetryOptions retry;         // retry_base_ms, retry_max_ms, give_up_after_s
  int64_t config_fault_tokens = 5;  // distinct tokens of one app failing alike: our fault
  int64_t stats_interval_s = 60;    // the push stats log line
};

// Reads and validates `path`; the secrets it names are read and checked too.
StatusOr<PushdConfig> LoadPushdConfig(const std::string& path);

}  // namespace chat
