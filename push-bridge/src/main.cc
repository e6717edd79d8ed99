// pushd: the push bridge daemon. This skeleton reads and validates its
// configuration and runs until SIGTERM or SIGINT; the push providers (FCM HTTP
// v1, APNs) and the push outbox it will drain are not implemented yet.
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <string>

#include "chat/stop_signals.h"
#include "pushd_config.h"

int main(int argc, char** argv) {
  chat::BlockStopSignals();  // before any thread starts
  CLI::App app{
      "pushd: delivers push notifications (FCM, APNs) to users with no connected device.\n"
      "This version is a skeleton: it checks its configuration and runs until SIGTERM or\n"
      "SIGINT; no push provider is implemented yet.\n\n"
      "Config file keys (`key = value`, `#` comments; relative paths resolve against the\n"
      "config file's folder):\n"
      "  broker_host  broker address (default 127.0.0.1)\n"
      "  broker_port  broker TCP port (default 1883)\n"
      "  db_path      the chat database that chatd writes (required)\n"
      "  key_file     the deployment's signing key, from `chatctl keygen` (required)\n"
      "  log_level    debug, info, warn or error (default info)",
      "pushd"};
  std::string config_path;
  bool check_only = false;
  app.add_option("-c,--config", config_path, "configuration file (see deploy/pushd.conf)")
      ->required();
  app.add_flag("--check-config", check_only, "validate the configuration file, then exit");
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

  spdlog::info("pushd starting (config {}, broker {}:{}, database {})", config_path,
               config->broker_host, config->broker_port, config->db_path);
  spdlog::warn(
      "no push provider is configured yet (FCM and APNs come in a later version); "
      "pushd sends no notifications");
  spdlog::info("pushd ready");
  int signal_number = chat::WaitForStopSignal();
  spdlog::info("pushd stopping ({})", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  return 0;
}
