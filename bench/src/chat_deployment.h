// The product's files for one benchmark run: signing key, database (a SQLite
// file, or a PostgreSQL database) with the schema applied, provisioned
// devices with their tokens, and the daemons chatd and pushd.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "broker_process.h"
#include "chat/support/child_process.h"
#include "chat/token.h"
#include "store/push_store.h"

namespace bench {

using chat::support::ChildProcess;

struct Device {
  std::string user;
  std::string device;
  std::string token;  // signed access token, registered in the database
};

// Owns nothing on disk but what it writes into `dir` (which the caller
// removes). Provisioning talks to the database directly through
// chat::AccountStore, as the integration harness does; chatd is a child
// process.
class ChatDeployment {
 public:
  // `db_target`: a postgresql:// URL of an empty database; empty: the SQLite
  // file chat.db in `dir`.
  ChatDeployment(std::string dir, std::string chatd_path, std::string plugin_path,
                 std::string pushd_path = "", std::string db_target = "");
  ~ChatDeployment();
  ChatDeployment(const ChatDeployment&) = delete;
  ChatDeployment& operator=(const ChatDeployment&) = delete;

  // The plugin options of a broker serving this deployment.
  PluginSettings plugin() const;
  const std::string& db_path() const { return db_target_; }
  std::string key_path() const { return dir_ + "/chat.key"; }

  // Creates users and devices (existing ones are kept) and issues one token
  // per device, all in one transaction. Fills in Device::token.
  void Provision(std::vector<Device>& devices);
  // Registers push tokens of provisioned devices, in one transaction, as a
  // `push.register` would.
  void RegisterPushTokens(const std::vector<chat::PushRegistration>& registrations);

  // Starts chatd against the broker on `broker_port` (and the other broker
  // nodes on `more_nodes`: `broker_nodes`), with watchers seeing a user
  // offline `presence_grace_ms` after their last device left, and waits
  // (10 s) for "chatd ready"; throws std::runtime_error with its log
  // otherwise.
  void StartChatd(int broker_port, int64_t presence_grace_ms,
                  const std::vector<std::string>& extra_lines = {},
                  const std::vector<int>& more_nodes = {});
  void StopChatd();
  pid_t chatd_pid() const;
  std::string ChatdLog() const;

  // Starts pushd over this database with `provider_settings` (the provider
  // lines of pushd.conf), no alert window (every message is a push at once)
  // and the job table read every `poll_interval_ms`; waits (10 s) for
  // "pushd ready", throws std::runtime_error with its log otherwise.
  void StartPushd(const std::string& provider_settings, int64_t poll_interval_ms);
  void StopPushd();
  pid_t pushd_pid() const;

 private:
  std::string dir_;
  std::string chatd_path_;
  std::string plugin_path_;
  std::string pushd_path_;
  std::string db_target_;
  chat::SigningKey key_;
  std::unique_ptr<ChildProcess> chatd_, pushd_;
};

}  // namespace bench
