// A process started by the integration tests or the benchmark (mosquitto,
// chatd, helpers): fork/exec with output to a log file or a pipe, stopped
// (SIGTERM, then SIGKILL) when destroyed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chat::support {

// Owns one child process. The child gets SIGKILL when the thread that started
// it ends (PR_SET_PDEATHSIG), so a crashed test or an aborted benchmark leaves
// nothing running: start and destroy ChildProcess objects on the main thread.
// Not thread-safe.
class ChildProcess {
 public:
  struct Spec {
    std::string path;               // executable
    std::vector<std::string> args;  // argv[1..]
    std::vector<std::string> env;   // "NAME=value" added to (or replacing in) the environment
    std::string log_path;           // stderr (and stdout unless piped) appended here
    bool pipe_stdio = false;        // stdin and stdout become pipes to the parent
    bool raise_nofile = false;      // soft RLIMIT_NOFILE := the hard limit
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

  // With pipe_stdio: one line of the child's stdout, waiting until
  // `deadline`; nullopt on timeout or end of file.
  std::optional<std::string> ReadLine(std::chrono::steady_clock::time_point deadline);
  // With pipe_stdio: writes `text` to the child's stdin; false on failure.
  bool Write(const std::string& text);
  // With pipe_stdio: closes the child's stdin (its signal to finish).
  void CloseStdin();

  // Sends `signal` and waits up to `timeout` for the exit, then SIGKILLs.
  // Returns true if it exited within the timeout. Idempotent.
  bool Stop(int signal = SIGTERM, std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  void Reap(int wait_status);

  pid_t pid_ = -1;
  bool exited_ = false;
  std::string status_ = "running";
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
};

}  // namespace chat::support
