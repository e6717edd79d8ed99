// chatd: the chat service daemon's command line. Loads the config, migrates
// the database, and runs Chatd (chatd/chatd.h) until SIGTERM/SIGINT.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "chat/stop_signals.h"
#include "chat/store_target.h"
#include "chatd/chatd.h"
#include "chatd/chatd_config.h"
#include "chatd/writer_lock.h"
#include "store/migrator.h"

namespace {

// How often a standby chatd tries the writer lock: the takeover delay.
constexpr std::chrono::milliseconds kStandbyPoll{200};

constexpr const char* kFooter = R"(
chatd consumes device commands from the broker (chat/up/+/+), sequences and
stores them in SQLite, and hands every committed batch to the broker plugin
for delivery (docs/ARCHITECTURE.md). It applies the schema migrations of this
release at start, after backing up an existing database.

One chatd writes a database at a time: it holds <db_path>.writer.lock (on
PostgreSQL: an advisory lock on its connection) while it runs. A second chatd started on the same database stands by (it logs
"standing by") and takes over within a fraction of a second when the first
one stops or dies.

Config file keys (key = value; relative paths resolve against the file):
  broker_host     broker address (default 127.0.0.1)
  broker_port     broker port (default 1883)
  broker_nodes    every node of a broker cluster, "host:port, host:port"
                  (instead of broker_host and broker_port; chatd connects
                  to each and sends every event to each)
  db_path         SQLite database file, or a PostgreSQL database as
                  postgresql://user:password@host:port/dbname (required)
  key_file        token signing key, as made by `chatctl keygen` (required)
  max_body_bytes  largest message body accepted (default 16384, at most 65536)
  max_group_members  largest group (default 1000)
  log_level       debug | info | warn | error (default info)

Example:
  chatd --config /etc/chat/chatd.conf
  chatd --config deploy/chatd.conf --check-config
)";

}  // namespace

int main(int argc, char** argv) {
  chat::BlockStopSignals();  // before any thread starts
  CLI::App app{"chatd - the MQTT chat service"};
  app.footer(kFooter);
  std::string config_path;
  bool check_only = false;
  app.add_option("-c,--config", config_path, "path of the config file")->required();
  app.add_flag("--check-config", check_only,
               "validate the config file and the database, then exit");
  CLI11_PARSE(app, argc, argv);

  spdlog::set_default_logger(spdlog::stderr_color_mt("chatd"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  auto config = chat::LoadChatdConfig(config_path);
  if (!config.ok()) {
    spdlog::critical("{}", config.status().message());
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(config->log_level));

  try {
    auto db = chat::OpenStore(config->db_path);
    // Before migrations write: one chatd per database; a second one stands
    // by until the first is gone.
    auto writer_lock = chat::WriterLock::For(db);
    if (!check_only && !writer_lock->TryAcquire(db)) {
      spdlog::info("another chatd ({}) holds {}: standing by to take over when it stops",
                   writer_lock->holder(db), writer_lock->name());
      while (!writer_lock->TryAcquire(db)) {
        if (auto signal = chat::WaitForStopSignalFor(kStandbyPoll)) {
          spdlog::info("received signal {} while standing by; stopping", *signal);
          return 0;
        }
      }
      spdlog::info("took over {}: this chatd is the writer now", writer_lock->name());
    }
    auto report = chat::ApplyMigrations(db);
    if (report.from_version != report.to_version) {
      spdlog::info("database {} migrated from schema {} to {}{}", db.path(), report.from_version,
                   report.to_version,
                   report.backup_path.empty() ? "" : " (backup: " + report.backup_path + ")");
    }
    if (check_only) {
      spdlog::info("config {} and database {} (schema {}) are fine", config_path, db.path(),
                   report.to_version);
      return 0;
    }

    return chat::Chatd(*config, std::move(db)).Run() ? 0 : 1;
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
}
