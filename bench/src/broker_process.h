// A mosquitto broker started for one scenario, with or without the chat
// plugin, on a free loopback port, with its files in a scratch directory.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "chat/support/child_process.h"

namespace bench {

using chat::support::ChildProcess;

struct PluginSettings {
  std::string plugin_path;
  std::string key_path;
  std::string db_path;
};

struct BrokerSettings {
  std::string dir;   // scratch directory for <name>.conf and <name>.log
  std::string name;  // e.g. "raw", "chat"
  std::string mosquitto_path;
  std::optional<PluginSettings> plugin;  // none: allow_anonymous, no plugin
};

// Starts in the constructor (throws std::runtime_error with the log when the
// broker does not listen within 10 s), stops in the destructor. Both variants
// get the same settings as deploy/mosquitto.conf except persistence (off: the
// benchmark measures the message path, not autosave) and the log file.
class BrokerProcess {
 public:
  explicit BrokerProcess(BrokerSettings settings);
  ~BrokerProcess();
  BrokerProcess(const BrokerProcess&) = delete;
  BrokerProcess& operator=(const BrokerProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return process_->pid(); }
  bool with_plugin() const { return settings_.plugin.has_value(); }
  // VmRSS of the broker process in KiB (0 when unreadable).
  long RssKb() const;
  std::string Log() const;
  // Stops the broker now (SIGTERM, then SIGKILL).
  void Stop();

 private:
  BrokerSettings settings_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// VmRSS of any process, in KiB (0 when unreadable).
long ProcessRssKb(pid_t pid);
// User + system CPU time consumed so far by a process, in seconds.
double ProcessCpuSeconds(pid_t pid);
std::string ReadTextFile(const std::string& path);
void WriteTextFile(const std::string& path, const std::string& text);

}  // namespace bench
