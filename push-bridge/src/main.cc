// pushd: the push bridge daemon. Sends the push jobs chatd writes with each
// message (docs/ARCHITECTURE.md, "The push path") to FCM HTTP v1 and APNs
// over HTTP/2, until SIGTERM or SIGINT.
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "apns_provider.h"
#include "chat/clock.h"
#include "chat/database.h"
#include "chat/stop_signals.h"
#include "chat/store_target.h"
#include "fcm_provider.h"
#include "push_dispatcher.h"
#include "pushd_config.h"

int main(int argc, char** argv) {
  chat::BlockStopSignals();  // before any thread starts
  CLI::App app{
      "pushd: sends push notifications (FCM HTTP v1, APNs) for devices that are not\n"
      "connected. chatd writes a push job with every message in the same transaction;\n"
      "pushd reads them from the database, collapses bursts (one alert per device per\n"
      "window, then one trailing push with the count), sends over one HTTP/2 connection\n"
      "per provider, retries 429/5xx/lost connections with backoff, and deletes a token\n"
      "only when the provider says it is dead. See deploy/pushd.conf for every key.\n\n"
      "Config file keys (`key = value`, `#` comments; relative paths resolve against the\n"
      "config file's folder):\n"
      "  db_path              chatd's database: its SQLite file, or its\n"
      "                       postgresql://user:password@host:port/dbname (required)\n"
      "  log_level            debug, info, warn or error (default info)\n"
      "  fcm_service_account  Google service-account JSON file: enables FCM\n"
      "  fcm_endpoint         default https://fcm.googleapis.com\n"
      "  apns_key_file        the team's .p8 signing key: enables APNs (with the two below)\n"
      "  apns_key_id          the key's 10-character id\n"
      "  apns_team_id         the 10-character Team ID\n"
      "  apns_endpoint        default https://api.push.apple.com\n"
      "  apns_sandbox_endpoint  default https://api.sandbox.push.apple.com\n"
      "  ca_file              CA certificates for the providers (default: the system's)\n"
      "  alert_window_ms      at most one alert per device per window (default 10000)\n"
      "  alert_ttl_s          how long a provider keeps an undelivered push (default 3600)\n"
      "  poll_interval_ms     how often the job table is read (default 100)\n"
      "  retry_base_ms, retry_max_ms  backoff of retries (default 1000, 300000)\n"
      "  give_up_after_s      a push older than this is dropped (default 86400)\n"
      "  config_fault_tokens  distinct tokens of one app refused alike = our fault (default 5)\n"
      "  stats_interval_s     the push stats log line (default 60)",
      "pushd"};
  std::string config_path;
  bool check_only = false;
  app.add_option("-c,--config", config_path, "configuration file (see deploy/pushd.conf)")
      ->required();
  app.add_flag("--check-config", check_only,
               "validate the configuration file and the secrets it names, then exit");
  CLI11_PARSE(app, argc, argv);

  spdlog::set_default_logger(spdlog::stderr_color_mt("pushd"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");  // as chatd's
  auto config = chat::LoadPushdConfig(config_path);
  if (!config.ok()) {
    spdlog::critical("{}", config.status().message());
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(config->log_level));
  if (check_only) {
    spdlog::info("config {} is fine", config_path);
    return 0;
  }

  std::unique_ptr<chat::push::FcmProvider> fcm;
  if (config->fcm_account) {
    auto credentials = chat::push::FcmCredentials(
        *config->fcm_account, chat::push::BlockingTokenExchange(config->fcm.http),
        chat::NowSeconds);
    fcm = std::make_unique<chat::push::FcmProvider>(std::move(credentials), config->fcm,
                                                    chat::NowSeconds);
    spdlog::info("FCM: project {} via {}", config->fcm_account->project_id, config->fcm.endpoint);
  }
  std::unique_ptr<chat::push::ApnsProvider> apns;
  if (config->apns_key) {
    apns = std::make_unique<chat::push::ApnsProvider>(
        chat::push::ApnsTokenSigner(*config->apns_key, chat::NowSeconds), config->apns);
    spdlog::info("APNs: team {} key {} via {} (sandbox {})", config->apns_key->team_id,
                 config->apns_key->key_id, config->apns.production_endpoint,
                 config->apns.sandbox_endpoint);
  }
  if (!fcm && !apns) {
    spdlog::warn(
        "no push provider is configured (fcm_service_account, apns_key_file): push jobs are "
        "dropped as they come");
  }

  try {
    chat::Database db = chat::OpenStore(config->db_path);
    // pushd only deletes and reschedules jobs: a write lost to a power cut
    // sends a push again, never loses one. So its commits skip the flush
    // that chatd's need (SQLite: WAL with synchronous=NORMAL stays
    // consistent; PostgreSQL: an asynchronous commit).
    db.Exec(db.engine() == chat::Database::Engine::kSqlite ? "PRAGMA synchronous=NORMAL"
                                                           : "SET synchronous_commit = off");
    spdlog::info("pushd starting (config {}, database {})", config_path,
                 chat::StoreName(config->db_path));
    chat::push::PushDispatcher dispatcher(db, fcm.get(), apns.get(), *config);
    std::atomic<bool> stop{false};
    std::atomic<bool> failed{false};
    std::thread loop([&] {
      try {
        dispatcher.Run(stop);
      } catch (const chat::StoreFailure& e) {
        // The database went away (a PostgreSQL restart, a broken file): stop
        // with an error, for the service manager to restart pushd; every job
        // not yet answered is still queued.
        spdlog::critical("push loop stopped: {}", e.what());
        failed = true;
        ::kill(::getpid(), SIGTERM);
      }
    });
    spdlog::info("pushd ready");
    int signal_number = chat::WaitForStopSignal();
    if (!failed) {
      spdlog::info("pushd stopping ({})", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
    }
    stop = true;
    loop.join();
    if (failed) return 1;
  } catch (const chat::StoreFailure& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
  return 0;
}
