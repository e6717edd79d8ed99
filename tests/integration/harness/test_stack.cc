// Starting, stopping and provisioning the integration test stack.
#include "harness/test_stack.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "chat/clock.h"
#include "chat/database.h"
#include "chat/key_file.h"
#include "chat/protocol.h"
#include "chat/store_target.h"
#include "chat/support/haproxy_config.h"
#include "chat/support/loopback.h"
#include "chat/token.h"
#include "harness/text_files.h"
#include "store/account_store.h"
#include "store/migrator.h"

namespace chat::testing {

using support::FreeLoopbackPort;
using support::PortAcceptsConnections;

namespace {

constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr auto kPollInterval = std::chrono::milliseconds(20);

std::string Tail(const std::string& text, int lines) {
  std::size_t pos = text.size();
  while (lines-- > 0 && pos > 0) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) return text;
  }
  return text.substr(pos + 1);
}

}  // namespace

TestStack::TestStack(Options options) : options_(options) {
  char dir_template[] = "/tmp/chat-test-XXXXXX";
  if (!::mkdtemp(dir_template)) throw std::runtime_error("mkdtemp failed");
  dir_ = dir_template;
  try {
    WriteFile(key_path(), GenerateKeyText());
    auto key = LoadKeyFile(key_path());
    if (!key.ok()) throw std::runtime_error(key.status().message());
    key_ = std::move(*key);
    if (options_.engine == Database::Engine::kPostgres) {
      database_ = std::make_unique<support::TestDatabase>(
          options_.engine, std::filesystem::path(dir_).filename().string());
    }
    {
      Database db = OpenDatabase();
      ApplyMigrations(db);
    }
    ports_.push_back(options_.device_port ? options_.device_port : FreeLoopbackPort());
    if (options_.service_listener) {
      do service_port_ = FreeLoopbackPort();
      while (service_port_ == ports_[0]);
    }
    while (ports_.size() < static_cast<std::size_t>(std::max(options_.broker_nodes, 1))) {
      int port = FreeLoopbackPort();
      if (port != service_port_ && std::find(ports_.begin(), ports_.end(), port) == ports_.end()) {
        ports_.push_back(port);
      }
    }
    brokers_.resize(ports_.size());
    for (std::size_t node = 0; node < ports_.size(); ++node) StartBrokerNode(node);
    if (options_.haproxy) StartHaproxy();
    if (options_.start_chatd) StartChatd();
  } catch (...) {
    chatd_.reset();
    haproxy_.reset();
    brokers_.clear();
    if (!std::getenv("CHAT_KEEP_TEST_DIR")) std::filesystem::remove_all(dir_);
    throw;
  }
}

TestStack::~TestStack() {
  chatd_.reset();
  haproxy_.reset();
  brokers_.clear();
  database_.reset();
  DumpLogsIfFailed();
  if (std::getenv("CHAT_KEEP_TEST_DIR")) {
    std::cerr << "[harness] kept test dir " << dir_ << "\n";
  } else {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::vector<Database::Engine> BrokerTestEngines() {
  return {Database::Engine::kSqlite, Database::Engine::kPostgres};
}

std::string TestStack::db_path() const {
  return database_ ? database_->target() : dir_ + "/chat.db";
}

Database TestStack::OpenDatabase(Database::Mode mode) const { return OpenStore(db_path(), mode); }
std::string TestStack::key_path() const { return dir_ + "/key"; }

int64_t TestStack::CountRows(const std::string& table) const {
  auto db = OpenDatabase(Database::Mode::kReadOnly);
  auto stmt = db.Prepare("SELECT count(*) FROM " + table);
  stmt.Step();
  return stmt.Int(0);
}

std::string TestStack::BrokerFile(std::size_t node, const std::string& extension) const {
  return dir_ + (node == 0 ? "/mosquitto." : "/mosquitto-" + std::to_string(node) + ".") +
         extension;
}

void TestStack::WriteBrokerConfig(std::size_t node) const {
  std::ostringstream conf;
  conf << "# Written by chat::testing::TestStack.\n"
       << "listener " << ports_[node] << " 127.0.0.1\n";
  // Options apply to every listener (mosquitto's default, per_listener_settings false).
  if (service_port_ && node == 0) conf << "listener " << service_port_ << " 127.0.0.1\n";
  conf << "allow_anonymous false\n"
       << "persistence false\n"
       << "max_queued_messages 100000\n"
       << "max_packet_size " << protocol::kMaxPacketBytes << "\n"
       << "log_dest file " << BrokerFile(node, "log") << "\n"
       << (options_.broker_log_topic ? "log_dest topic\n" : "") << "log_type all\n"
       << "log_timestamp_format %H:%M:%S\n";
  // As root, mosquitto 2.0 drops to the `mosquitto` user (or `nobody`) unless
  // told `user root`, and would then lose access to this directory.
  if (::geteuid() == 0) conf << "user root\n";
  conf << "plugin " << CHAT_PLUGIN_PATH << "\n"
       << "plugin_opt_key_file " << key_path() << "\n"
       << "plugin_opt_db_path " << db_path() << "\n"
       << "plugin_opt_max_payload_bytes " << options_.max_payload_bytes << "\n";
  for (const std::string& option : options_.plugin_options) conf << "plugin_opt_" << option << "\n";
  conf << options_.broker_config_extra;
  WriteFile(BrokerFile(node, "conf"), conf.str());
}

void TestStack::StartBrokerNode(std::size_t node) {
  if (brokers_.at(node) && brokers_[node]->Running()) {
    throw std::logic_error("broker node " + std::to_string(node) + " is already running");
  }
  WriteBrokerConfig(node);
  const int port = ports_[node];
  const bool service = service_port_ && node == 0;
  ChildProcess::Spec spec;
  spec.path = CHAT_MOSQUITTO_PATH;
  spec.args = {"-c", BrokerFile(node, "conf")};
  spec.log_path = BrokerFile(node, "out");
#ifdef CHAT_SANITIZER_PRELOAD
  // The plugin is built with ASan/UBSan; mosquitto is not, so the runtimes
  // must be loaded first (and the stub of swift_demangle_stub.c after them).
  // Leaks are mosquitto's own business here.
  spec.env = {"LD_PRELOAD=" CHAT_SANITIZER_PRELOAD, "ASAN_OPTIONS=detect_leaks=0",
              "UBSAN_OPTIONS=print_stacktrace=1"};
#endif
  std::unique_ptr<ChildProcess>& broker = brokers_[node];
  broker = std::make_unique<ChildProcess>(spec);
  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (!PortAcceptsConnections(port) || (service && !PortAcceptsConnections(service_port_))) {
    if (!broker->Running() || std::chrono::steady_clock::now() > deadline) {
      std::string why = broker->Running() ? "did not listen within 10 s" : broker->status();
      broker.reset();
      throw std::runtime_error("mosquitto on port " + std::to_string(port) + " " + why +
                               "; its log:\n" + BrokerLog(node));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

bool TestStack::HasHaproxy() { return std::string_view(CHAT_HAPROXY_PATH) != ""; }

int TestStack::haproxy_port() const {
  if (!haproxy_) throw std::logic_error("this stack runs no HAProxy (Options::haproxy)");
  return haproxy_port_;
}

void TestStack::StartHaproxy() {
  if (!HasHaproxy()) throw std::runtime_error("haproxy is not installed");
  do haproxy_port_ = FreeLoopbackPort();
  while (std::find(ports_.begin(), ports_.end(), haproxy_port_) != ports_.end() ||
         haproxy_port_ == service_port_);
  WriteFile(dir_ + "/haproxy.cfg", support::HaproxyConfig(haproxy_port_, ports_, 1000));
  ChildProcess::Spec spec;
  spec.path = CHAT_HAPROXY_PATH;
  spec.args = {"-db", "-f", dir_ + "/haproxy.cfg"};
  spec.log_path = dir_ + "/haproxy.log";
  haproxy_ = std::make_unique<ChildProcess>(spec);
  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (!PortAcceptsConnections(haproxy_port_)) {
    if (!haproxy_->Running() || std::chrono::steady_clock::now() > deadline) {
      std::string why = haproxy_->Running() ? "did not listen within 10 s" : haproxy_->status();
      haproxy_.reset();
      throw std::runtime_error("haproxy " + why + "; its log:\n" + ReadFile(dir_ + "/haproxy.log"));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

void TestStack::StopBrokerNode(std::size_t node, int signal) {
  if (!brokers_.at(node)) return;
  brokers_[node]->Stop(signal);
  brokers_[node].reset();
}

void TestStack::RestartBroker() {
  brokers_[0].reset();
  StartBrokerNode(0);
}

void TestStack::WriteChatdConfig() const {
  std::ostringstream conf;
  conf << "# Written by chat::testing::TestStack.\n"
       << "broker_nodes = 127.0.0.1:" << service_port();
  for (std::size_t node = 1; node < ports_.size(); ++node) conf << ", 127.0.0.1:" << ports_[node];
  conf << "\n"
       << "db_path = " << db_path() << "\n"
       << "key_file = " << key_path() << "\n"
       << "max_body_bytes = " << options_.max_body_bytes << "\n"
       << "presence_grace_ms = " << options_.presence_grace_ms << "\n"
       << "log_level = debug\n"
       << options_.chatd_config_extra;
  WriteFile(dir_ + "/chatd.conf", conf.str());
}

void TestStack::StartChatd() {
  if (chatd_ && chatd_->Running()) throw std::logic_error("chatd is already running");
  WriteChatdConfig();
  std::string log_path = dir_ + "/chatd.log";
  std::size_t log_start = ReadFile(log_path).size();  // readiness of this run only
  ChildProcess::Spec spec;
  spec.path = CHAT_CHATD_PATH;
  spec.args = {"--config", dir_ + "/chatd.conf"};
  spec.log_path = log_path;
  chatd_ = std::make_unique<ChildProcess>(spec);
  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (ReadFile(log_path).find("chatd ready", log_start) == std::string::npos) {
    if (!chatd_->Running() || std::chrono::steady_clock::now() > deadline) {
      std::string why = chatd_->Running() ? "was not ready within 10 s" : chatd_->status();
      chatd_.reset();
      throw std::runtime_error("chatd " + why + "; its log:\n" + ChatdLog());
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::unique_ptr<ChildProcess> TestStack::StartStandbyChatd(const std::string& log_name) {
  ChildProcess::Spec spec;
  spec.path = CHAT_CHATD_PATH;
  spec.args = {"--config", dir_ + "/chatd.conf"};
  spec.log_path = dir_ + "/" + log_name;
  auto standby = std::make_unique<ChildProcess>(spec);
  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (ReadFile(spec.log_path).find("standing by") == std::string::npos) {
    if (!standby->Running() || std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("the standby chatd did not stand by; its log:\n" +
                               ReadFile(spec.log_path));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  return standby;
}

bool TestStack::ChatdRunning() const { return chatd_ && chatd_->Running(); }

void TestStack::StopChatd(int signal) {
  if (!chatd_) return;
  chatd_->Stop(signal);
  chatd_.reset();
}

std::string TestStack::Provision(const std::string& user, const std::string& device) {
  {
    Database db = OpenDatabase();
    AccountStore accounts(db);
    AccountError error = accounts.AddUser(user, user);
    if (error != AccountError::kNone && error != AccountError::kExists) {
      throw std::runtime_error("cannot add user " + user + ": " +
                               std::string(AccountErrorName(error)));
    }
    error = accounts.AddDevice(user, device, "test");
    if (error != AccountError::kNone && error != AccountError::kExists) {
      throw std::runtime_error("cannot add device " + user + "/" + device + ": " +
                               std::string(AccountErrorName(error)));
    }
  }
  return IssueToken(user, device, 3600);
}

std::string TestStack::IssueToken(const std::string& user, const std::string& device,
                                  int64_t ttl_s) {
  Database db = OpenDatabase();
  AccountStore accounts(db);
  IssuedToken issued = accounts.IssueToken(user, device, ttl_s, TokenSigner(key_), NowSeconds());
  if (issued.error != AccountError::kNone) {
    throw std::runtime_error("cannot issue a token for " + user + "/" + device + ": " +
                             std::string(AccountErrorName(issued.error)));
  }
  return issued.token;
}

void TestStack::RevokeDevice(const std::string& user, const std::string& device) {
  Database db = OpenDatabase();
  AccountStore(db).RevokeDeviceTokens(user, device, NowSeconds());
}

std::string TestStack::ServiceToken(const std::string& name, int64_t ttl_s) const {
  int64_t now = NowSeconds();
  return TokenSigner(key_).Sign(TokenClaims{name, "", NewTokenId(), now, now + ttl_s, true});
}

std::string TestStack::ChatdLog() const { return ReadFile(dir_ + "/chatd.log"); }

std::string TestStack::BrokerLog(std::size_t node) const {
  return ReadFile(BrokerFile(node, "out")) + ReadFile(BrokerFile(node, "log"));
}

void TestStack::DumpLogsIfFailed() const {
  if (!::testing::Test::HasFailure()) return;
  for (std::size_t node = 0; node < ports_.size(); ++node) {
    std::cerr << "[harness] test failed; last lines of " << BrokerFile(node, "log") << ":\n"
              << Tail(BrokerLog(node), 60) << "\n";
  }
  std::string chatd = ChatdLog();
  if (!chatd.empty())
    std::cerr << "[harness] last lines of chatd.log:\n" << Tail(chatd, 60) << "\n";
}

}  // namespace chat::testing
