// The real pushd for integration tests, configured against the local push
// fakes (harness/push_fakes.h) and the TestStack's database.
#pragma once

#include <csignal>
#include <cstdint>
#include <memory>
#include <string>

#include "chat/support/child_process.h"
#include "harness/push_fakes.h"

namespace chat::testing {

struct PushdOptions {
  int64_t alert_window_ms = 0;  // 0: every push at once
  int64_t retry_base_ms = 200;
  int64_t poll_interval_ms = 50;
  int64_t give_up_after_s = 3600;
  int64_t config_fault_tokens = 5;
};

// Writes pushd.conf into `dir` and starts pushd, waiting (10 s at most) for
// "pushd ready"; throws std::runtime_error with its log otherwise. Stops it
// when destroyed. The log is `dir`/pushd.log.
class PushdProcess {
 public:
  PushdProcess(const std::string& dir, const std::string& db_path, const PushFakes& fakes,
               PushdOptions options = {});
  ~PushdProcess();
  PushdProcess(const PushdProcess&) = delete;
  PushdProcess& operator=(const PushdProcess&) = delete;

  void Start();
  // Sends `signal` and waits for the exit (SIGKILL after 10 s).
  void Stop(int signal = SIGTERM);
  std::string Log() const;

 private:
  std::string dir_;
  std::unique_ptr<support::ChildProcess> process_;
};

}  // namespace chat::testing
