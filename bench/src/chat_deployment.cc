// Key, schema, provisioning and chatd for the chat scenarios.
#include "chat_deployment.h"

#include <sstream>
#include <stdexcept>
#include <thread>

#include "chat/clock.h"
#include "chat/database.h"
#include "chat/key_file.h"
#include "clock.h"
#include "store/account_store.h"
#include "store/migrator.h"

namespace bench {

namespace {
constexpr int64_t kTokenTtlS = 24 * 3600;
}

ChatDeployment::ChatDeployment(std::string dir, std::string chatd_path, std::string plugin_path)
    : dir_(std::move(dir)),
      chatd_path_(std::move(chatd_path)),
      plugin_path_(std::move(plugin_path)) {
  WriteTextFile(key_path(), chat::GenerateKeyText());
  auto key = chat::LoadKeyFile(key_path());
  if (!key.ok()) throw std::runtime_error(key.status().message());
  key_ = std::move(*key);
  chat::Database db = chat::Database::Open(db_path());
  chat::ApplyMigrations(db);
}

ChatDeployment::~ChatDeployment() { StopChatd(); }

PluginSettings ChatDeployment::plugin() const { return {plugin_path_, key_path(), db_path()}; }

void ChatDeployment::Provision(std::vector<Device>& devices) {
  chat::Database db = chat::Database::Open(db_path());
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

void ChatDeployment::StartChatd(int broker_port, int64_t presence_grace_ms) {
  std::ostringstream conf;
  conf << "# Written by chat-bench.\n"
       << "broker_host = 127.0.0.1\n"
       << "broker_port = " << broker_port << "\n"
       << "db_path = " << db_path() << "\n"
       << "key_file = " << key_path() << "\n"
       << "presence_grace_ms = " << presence_grace_ms << "\n"
       << "log_level = info\n";
  WriteTextFile(dir_ + "/chatd.conf", conf.str());
  std::size_t log_start = ChatdLog().size();
  ChildProcess::Spec spec;
  spec.path = chatd_path_;
  spec.args = {"--config", dir_ + "/chatd.conf"};
  spec.log_path = dir_ + "/chatd.log";
  chatd_ = std::make_unique<ChildProcess>(spec);
  int64_t deadline = MonotonicNs() + 10 * kNsPerSecond;
  while (ChatdLog().find("chatd ready", log_start) == std::string::npos) {
    if (!chatd_->Running() || MonotonicNs() > deadline) {
      std::string why = chatd_->Running() ? "was not ready within 10 s" : chatd_->status();
      chatd_.reset();
      throw std::runtime_error("chatd " + why + "; its log:\n" + ChatdLog());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void ChatDeployment::StopChatd() {
  if (chatd_) chatd_->Stop(SIGTERM);
  chatd_.reset();
}

pid_t ChatDeployment::chatd_pid() const { return chatd_ ? chatd_->pid() : -1; }

std::string ChatDeployment::ChatdLog() const { return ReadTextFile(dir_ + "/chatd.log"); }

}  // namespace bench
