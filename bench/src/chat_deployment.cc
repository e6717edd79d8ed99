// Key, schema, provisioning and chatd for the chat scenarios.
#include "chat_deployment.h"

#include <sstream>
#include <stdexcept>
#include <thread>

#include "chat/clock.h"
#include "chat/database.h"
#include "chat/key_file.h"
#include "chat/store_target.h"
#include "clock.h"
#include "store/account_store.h"
#include "store/migrator.h"

namespace bench {

namespace {

constexpr int64_t kTokenTtlS = 24 * 3600;

// Starts `path --config conf_path` with its log in `log_path` and waits up
// to 10 s for `ready_line` in the log.
std::unique_ptr<ChildProcess> StartDaemon(const std::string& path, const std::string& conf_path,
                                          const std::string& log_path,
                                          const std::string& ready_line) {
  std::size_t log_start = ReadTextFile(log_path).size();
  ChildProcess::Spec spec;
  spec.path = path;
  spec.args = {"--config", conf_path};
  spec.log_path = log_path;
  auto daemon = std::make_unique<ChildProcess>(spec);
  int64_t deadline = MonotonicNs() + 10 * kNsPerSecond;
  while (ReadTextFile(log_path).find(ready_line, log_start) == std::string::npos) {
    if (!daemon->Running() || MonotonicNs() > deadline) {
      std::string why = daemon->Running() ? "was not ready within 10 s" : daemon->status();
      daemon.reset();
      throw std::runtime_error(path + " " + why + "; its log:\n" + ReadTextFile(log_path));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return daemon;
}

}  // namespace

ChatDeployment::ChatDeployment(std::string dir, std::string chatd_path, std::string plugin_path,
                               std::string pushd_path, std::string db_target)
    : dir_(std::move(dir)),
      chatd_path_(std::move(chatd_path)),
      plugin_path_(std::move(plugin_path)),
      pushd_path_(std::move(pushd_path)),
      db_target_(db_target.empty() ? dir_ + "/chat.db" : std::move(db_target)) {
  WriteTextFile(key_path(), chat::GenerateKeyText());
  auto key = chat::LoadKeyFile(key_path());
  if (!key.ok()) throw std::runtime_error(key.status().message());
  key_ = std::move(*key);
  chat::Database db = chat::OpenStore(db_path());
  chat::ApplyMigrations(db);
}

ChatDeployment::~ChatDeployment() {
  StopPushd();
  StopChatd();
}

PluginSettings ChatDeployment::plugin() const { return {plugin_path_, key_path(), db_path()}; }

void ChatDeployment::Provision(std::vector<Device>& devices) {
  chat::Database db = chat::OpenStore(db_path());
  chat::AccountStore accounts(db);
  chat::TokenSigner signer(key_);
  int64_t now = chat::NowSeconds();
  chat::Transaction txn(db);
  for (Device& d : devices) {
    using chat::AccountError;
    AccountError e = accounts.AddUser(d.user, d.user);
    if (e == AccountError::kNone || e == AccountError::kExists) {
      e = accounts.AddDevice(d.user, d.device, "bench");
    }
    if (e != AccountError::kNone && e != AccountError::kExists) {
      throw std::runtime_error("cannot provision " + d.user + "/" + d.device + ": " +
                               std::string(chat::AccountErrorName(e)));
    }
    chat::IssuedToken issued = accounts.IssueToken(d.user, d.device, kTokenTtlS, signer, now);
    if (issued.error != AccountError::kNone) {
      throw std::runtime_error("cannot issue a token for " + d.user + "/" + d.device);
    }
    d.token = std::move(issued.token);
  }
  txn.Commit();
}

void ChatDeployment::RegisterPushTokens(const std::vector<chat::PushRegistration>& registrations) {
  chat::Database db = chat::OpenStore(db_path());
  chat::PushStore tokens(db);
  int64_t now_ms = chat::NowMillis();
  chat::Transaction txn(db);
  for (const chat::PushRegistration& r : registrations) tokens.Register(r, now_ms);
  txn.Commit();
}

void ChatDeployment::StartChatd(int broker_port, int64_t presence_grace_ms,
                                const std::vector<std::string>& extra_lines,
                                const std::vector<int>& more_nodes) {
  std::ostringstream conf;
  conf << "# Written by chat-bench.\n";
  if (more_nodes.empty()) {
    conf << "broker_host = 127.0.0.1\n"
         << "broker_port = " << broker_port << "\n";
  } else {
    conf << "broker_nodes = 127.0.0.1:" << broker_port;
    for (int port : more_nodes) conf << ", 127.0.0.1:" << port;
    conf << "\n";
  }
  conf << "db_path = " << db_path() << "\n"
       << "key_file = " << key_path() << "\n"
       << "presence_grace_ms = " << presence_grace_ms << "\n"
       << "log_level = info\n";
  for (const std::string& line : extra_lines) conf << line << "\n";
  WriteTextFile(dir_ + "/chatd.conf", conf.str());
  chatd_ = StartDaemon(chatd_path_, dir_ + "/chatd.conf", dir_ + "/chatd.log", "chatd ready");
}

void ChatDeployment::StopChatd() {
  if (chatd_) chatd_->Stop(SIGTERM);
  chatd_.reset();
}

pid_t ChatDeployment::chatd_pid() const { return chatd_ ? chatd_->pid() : -1; }

std::string ChatDeployment::ChatdLog() const { return ReadTextFile(dir_ + "/chatd.log"); }

void ChatDeployment::StartPushd(const std::string& provider_settings, int64_t poll_interval_ms) {
  if (pushd_path_.empty()) throw std::logic_error("this deployment has no pushd");
  std::ostringstream conf;
  conf << "# Written by chat-bench.\n"
       << "db_path = " << db_path() << "\n"
       << provider_settings << "alert_window_ms = 0\n"
       << "poll_interval_ms = " << poll_interval_ms << "\n"
       << "stats_interval_s = 10\n"
       << "log_level = info\n";
  WriteTextFile(dir_ + "/pushd.conf", conf.str());
  pushd_ = StartDaemon(pushd_path_, dir_ + "/pushd.conf", dir_ + "/pushd.log", "pushd ready");
}

void ChatDeployment::StopPushd() {
  if (pushd_) pushd_->Stop(SIGTERM);
  pushd_.reset();
}

pid_t ChatDeployment::pushd_pid() const { return pushd_ ? pushd_->pid() : -1; }

}  // namespace bench
