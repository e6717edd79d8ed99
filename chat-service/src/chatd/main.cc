// chatd: the chat service daemon. Wires config, database, broker link and the
// writer thread together, and shuts down cleanly on SIGTERM/SIGINT.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <thread>

#include "chat/wal_checkpointer.h"
#include "chatd/broker_link.h"
#include "chatd/chatd_config.h"
#include "chatd/command_intake.h"
#include "chatd/command_queue.h"
#include "chatd/presence_view.h"
#include "chatd/query_service.h"
#include "chatd/writer.h"
#include "store/migrator.h"

namespace {

constexpr const char* kFooter = R"(
chatd consumes device commands from the broker (chat/up/+/+), sequences and
stores them in SQLite, and hands every committed batch to the broker plugin
for delivery (docs/ARCHITECTURE.md). It applies the schema migrations of this
release at start, after backing up an existing database.

Config file keys (key = value; relative paths resolve against the file):
  broker_host     broker address (default 127.0.0.1)
  broker_port     broker port (default 1883)
  db_path         SQLite database file (required)
  key_file        token signing key, as made by `chatctl keygen` (required)
  max_body_bytes  largest message body accepted (default 16384)
  max_group_members  largest group (default 1000)
  log_level       debug | info | warn | error (default info)

Example:
  chatd --config /etc/chat/chatd.conf
  chatd --config deploy/chatd.conf --check-config
)";

sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

}  // namespace

int main(int argc, char** argv) {
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

  sigset_t stop_signals = BlockStopSignals();  // before any thread starts
  try {
    auto db = chat::Database::Open(config->db_path);
    auto report = chat::ApplyMigrations(db);
    if (report.from_version != report.to_version) {
      spdlog::info("database {} migrated from schema {} to {}{}", config->db_path,
                   report.from_version, report.to_version,
                   report.backup_path.empty() ? "" : " (backup: " + report.backup_path + ")");
    }
    if (check_only) {
      spdlog::info("config {} and database {} (schema {}) are fine", config_path, config->db_path,
                   report.to_version);
      return 0;
    }

    chat::CommandLimits limits;
    limits.max_body_bytes = config->max_body_bytes;
    limits.max_group_members = config->max_group_members;
    chat::BlockingQueue<chat::Command> writes;
    chat::BlockingQueue<chat::Command> queries;
    chat::CommandIntake intake(writes, queries, limits);
    chat::PresenceView presence;
    chat::BrokerLink link({config->broker_host, config->broker_port, "chatd", config->key},
                          [&](std::string topic, std::string payload) {
                            if (chat::PresenceView::Handles(topic)) {
                              presence.Apply(topic, payload);
                            } else {
                              intake.Accept(topic, payload);
                            }
                          });
    auto publish = [&link](const std::string& p) { return link.PublishFanout(p); };
    std::atomic<bool> stop{false};
    chat::WalCheckpointer checkpointer(db);
    chat::WriterOptions writer_options;
    writer_options.limits = limits;
    writer_options.after_batch = [&checkpointer] { checkpointer.FinishOnWriterThread(); };
    chat::Writer writer(db, writes, publish, writer_options);
    chat::QueryService query_service(config->db_path, presence, publish);
    std::thread writer_thread([&] {
      try {
        writer.Run(stop);
      } catch (const std::exception& e) {
        spdlog::critical("writer thread failed: {}", e.what());
        std::raise(SIGTERM);
      }
    });
    std::thread query_thread([&] {
      try {
        while (!stop || queries.size() > 0) {
          for (const auto& command : queries.PopBatch(64, std::chrono::milliseconds(100))) {
            query_service.Answer(command);
          }
        }
      } catch (const std::exception& e) {
        spdlog::critical("query thread failed: {}", e.what());
        std::raise(SIGTERM);
      }
    });
    std::thread signal_thread([&] {
      int received = 0;
      sigwait(&stop_signals, &received);
      spdlog::info("received signal {}; draining and stopping", received);
      stop = true;
    });
    if (link.Start(stop))
      spdlog::info("chatd ready (broker {}:{}, database {})", config->broker_host,
                   config->broker_port, config->db_path);
    signal_thread.join();
    writer_thread.join();
    query_thread.join();
    spdlog::info(
        "WAL checkpoints: {} on the checkpointer thread, {} finished by the writer, {} "
        "inline; the WAL restarted {} times",
        checkpointer.checkpoints(), checkpointer.finished_checkpoints(),
        checkpointer.inline_checkpoints(), checkpointer.restarts());
    link.Stop();
    spdlog::info("chatd stopped");
    return 0;
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
}
