// A process the benchmark starts (mosquitto, chatd, the relay node, hold
// workers): fork/exec, output to a log file or a pipe, stopped when destroyed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <optional>
#include <string>
#include <vector>

namespace bench {

// Owns one child. The child gets SIGKILL when the thread that started it
// ends (PR_SET_PDEATHSIG), so an aborted benchmark leaves nothing running:
// start and destroy children on the main thread. Not thread-safe.
class ChildProcess {
 public:
  struct Spec {
    std::string path;
    std::vector<std::string> args;  // argv[1..]
    std::string log_path;           // stderr (and stdout unless piped) appended here
    bool pipe_stdio = false;        // stdin and stdout become pipes to us
    bool raise_nofile = true;       // soft RLIMIT_NOFILE := hard limit
  };

  // Throws std::runtime_error when the process cannot be started.
  explicit ChildProcess(const Spec& spec);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  const std::string& status() const { return status_; }

  // With pipe_stdio: reads one line from the child's stdout, waiting until
  // `deadline_ns` (MonotonicNs); nullopt on timeout or EOF.
  std::optional<std::string> ReadLine(int64_t deadline_ns);
  // With pipe_stdio: writes `text` to the child's stdin; false on failure.
  bool Write(const std::string& text);
  // With pipe_stdio: closes the child's stdin (our "finish" signal).
  void CloseStdin();

  // Sends `signal`, waits up to `timeout`, then SIGKILLs. Idempotent.
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

}  // namespace bench
