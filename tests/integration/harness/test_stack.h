// The integration tests' stack: mosquitto with the built plugin and,
// optionally, chatd, on a free loopback port, over a fresh database and key.
#pragma once

#include <csignal>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chat/database.h"
#include "chat/support/child_process.h"
#include "chat/support/test_database.h"
#include "chat/token.h"

namespace chat::testing {

using support::ChildProcess;

// TestStack::Options. Declared outside the class so that `Options options = {}`
// can be a default argument (GCC needs the type complete there).
struct TestStackOptions {
  bool start_chatd = true;
  int max_payload_bytes = 65536;  // plugin_opt_max_payload_bytes
  int max_body_bytes = 16384;     // chatd's max_body_bytes
  int presence_grace_ms = 500;    // chatd's presence_grace_ms: short, for tests
  // The listener devices use (port()); 0: a free loopback port. A fixed port
  // lets a test run behind a tool that degrades that one port (lossy-net).
  int device_port = 0;
  // A second listener, service_port(), for chatd: the services' link then
  // stays clean while the device port is degraded. Otherwise chatd shares port().
  bool service_listener = false;
  std::string chatd_config_extra = {};  // lines appended to chatd.conf ("key = value\n" each)
  // More plugin options, each "key value" without the "plugin_opt_" prefix
  // (e.g. small rate limits: "limit_device_messages_burst 5").
  std::vector<std::string> plugin_options = {};
  // Lines appended to mosquitto.conf ("key value\n" each); a later line for
  // the same key wins (e.g. a small max_queued_messages).
  std::string broker_config_extra = {};
  // mosquitto.conf's `log_dest topic`, as deploy/mosquitto.conf has it:
  // chatd reads keepalive timeouts from the broker's notice log.
  bool broker_log_topic = true;
  // Broker nodes (a cluster): each its own mosquitto with the plugin, on a
  // port of its own, over the same database and key; chatd connects to
  // every one (`broker_nodes`). Node 0 is port().
  int broker_nodes = 1;
  // HAProxy in front of the nodes, as deploy/haproxy.cfg (a client id kept
  // on its node, a dead node's devices sent to the others): haproxy_port().
  bool haproxy = false;
  // Where chatd, pushd and the plugins keep the data: a SQLite file in dir(),
  // or a fresh database on the scratch PostgreSQL server (tests that use it
  // are chat_test(... POSTGRES), tests/CMakeLists.txt).
  chat::Database::Engine engine = chat::Database::Engine::kSqlite;
};

// Starts everything in its constructor, stops everything in its destructor.
// Files live in a fresh /tmp/chat-test-XXXXXX directory: key, chat.db,
// mosquitto.conf, mosquitto.log, chatd.conf, chatd.log. The directory is
// removed at the end unless the environment variable CHAT_KEEP_TEST_DIR is
// set; when the current test failed, the logs' tails are printed to stderr.
// Failures to start throw std::runtime_error with the relevant log.
// Use from the test's main thread (children die with the thread that started
// them). The database helpers open their own short-lived connection.
class TestStack {
 public:
  using Options = TestStackOptions;

  explicit TestStack(Options options = {});
  ~TestStack();
  TestStack(const TestStack&) = delete;
  TestStack& operator=(const TestStack&) = delete;

  int port() const { return ports_[0]; }
  // The device port of broker node `node` (0: port()).
  int node_port(std::size_t node) const { return ports_.at(node); }
  // With Options::haproxy: HAProxy's port; throws when it is not running.
  int haproxy_port() const;
  // Whether this machine has haproxy (tests through it skip otherwise).
  static bool HasHaproxy();
  // The listener chatd connects to: port() unless Options::service_listener.
  int service_port() const { return service_port_ ? service_port_ : ports_[0]; }
  const std::string& dir() const { return dir_; }
  // What the daemons' db_path says: the SQLite file, or the PostgreSQL URL.
  std::string db_path() const;
  // A new connection to that database.
  chat::Database OpenDatabase(chat::Database::Mode mode = chat::Database::Mode::kReadWrite) const;
  // The number of rows in `table` of the database, read now.
  int64_t CountRows(const std::string& table) const;
  std::string key_path() const;
  // The deployment key, for tests that sign their own (service) tokens.
  const chat::SigningKey& key() const { return key_; }

  // Creates the user if missing and the device (if missing), issues a 1 h
  // token and returns it.
  std::string Provision(const std::string& user, const std::string& device);
  // Registers and signs a device token; ttl_s may be negative (already expired).
  std::string IssueToken(const std::string& user, const std::string& device, int64_t ttl_s);
  // Revokes every token of the device.
  void RevokeDevice(const std::string& user, const std::string& device);
  // A service token for username and client id "svc:{name}".
  std::string ServiceToken(const std::string& name, int64_t ttl_s = 3600) const;

  // Starts chatd and waits (10 s at most) for "chatd ready" in its log.
  void StartChatd();
  // Sends `signal` to chatd and waits for it to exit (SIGKILL after 10 s).
  void StopChatd(int signal = SIGTERM);
  // Whether the chatd StartChatd started still runs.
  bool ChatdRunning() const;
  // Starts a second chatd on the same config and database, logging to
  // `log_name` in dir(), and waits (10 s at most) until it stands by for
  // the writer lock. The caller owns it.
  std::unique_ptr<ChildProcess> StartStandbyChatd(const std::string& log_name);
  // Stops mosquitto and starts it again on the same port (sessions are lost:
  // persistence is off).
  void RestartBroker();
  // Sends `signal` to broker node `node` and waits for it to exit (SIGKILL
  // after 10 s); StartBrokerNode starts it again on its port.
  void StopBrokerNode(std::size_t node, int signal = SIGKILL);
  void StartBrokerNode(std::size_t node);

  std::string ChatdLog() const;
  std::string BrokerLog(std::size_t node = 0) const;

 private:
  // Node 0's files are mosquitto.conf, .log and .out; node k's mosquitto-k.*.
  std::string BrokerFile(std::size_t node, const std::string& extension) const;
  void WriteBrokerConfig(std::size_t node) const;
  void WriteChatdConfig() const;
  void StartHaproxy();
  void DumpLogsIfFailed() const;

  Options options_;
  std::string dir_;
  std::unique_ptr<support::TestDatabase> database_;
  chat::SigningKey key_;
  std::vector<int> ports_;  // each node's device port
  int service_port_ = 0;    // 0: none, services use ports_[0]
  std::vector<std::unique_ptr<ChildProcess>> brokers_;
  int haproxy_port_ = 0;
  std::unique_ptr<ChildProcess> haproxy_;
  std::unique_ptr<ChildProcess> chatd_;
};

// The store engines that tests starting brokers run on: SQLite and
// PostgreSQL, in the sanitizer build too (where mosquitto runs with the
// sanitizer runtimes and harness/swift_demangle_stub.c preloaded).
std::vector<chat::Database::Engine> BrokerTestEngines();

}  // namespace chat::testing

// Instantiates the TEST_Ps of `Suite` on each of BrokerTestEngines().
#define INSTANTIATE_ON_BROKER_ENGINES(Suite)                                                    \
  INSTANTIATE_TEST_SUITE_P(Engines, Suite,                                                      \
                           ::testing::ValuesIn(::chat::testing::BrokerTestEngines()),           \
                           [](const ::testing::TestParamInfo<::chat::Database::Engine>& info) { \
                             return ::chat::support::EngineName(info.param);                    \
                           })
