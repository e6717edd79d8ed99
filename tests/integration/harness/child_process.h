// A daemon started by the integration harness: fork/exec with its output
// appended to a log file, stopped (SIGTERM, then SIGKILL) when destroyed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <string>
#include <vector>

namespace chat::testing {

// Owns one child process. The child dies with the thread that started it
// (PR_SET_PDEATHSIG), so a crashed test leaves no daemon behind: start and
// destroy ChildProcess objects on the test's main thread. Not thread-safe.
class ChildProcess {
 public:
  struct Spec {
    std::string path;               // executable
    std::vector<std::string> args;  // argv[1..]
    std::vector<std::string> env;   // "NAME=value" added to (or replacing in) the environment
    std::string log_path;           // stdout and stderr are appended here
  };

  // Throws std::runtime_error when the process cannot be started.
  explicit ChildProcess(const Spec& spec);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // False once the process has exited; `status` then describes how.
  bool Running();
  const std::string& status() const { return status_; }

  // Sends `signal` and waits up to `timeout` for the exit, then SIGKILLs.
  // Returns true if it exited within the timeout. Idempotent.
  bool Stop(int signal = SIGTERM, std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  void Reap(int wait_status);

  pid_t pid_ = -1;
  bool exited_ = false;
  std::string status_ = "running";
};

}  // namespace chat::testing
