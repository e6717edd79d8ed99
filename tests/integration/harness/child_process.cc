// fork/exec of the harness's daemons.
#include "harness/child_process.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace chat::testing {

namespace {

// The parent's environment with `overrides` applied, as NAME=value strings.
std::vector<std::string> MergedEnvironment(const std::vector<std::string>& overrides) {
  std::map<std::string, std::string> vars;
  auto add = [&vars](const std::string& entry) {
    auto eq = entry.find('=');
    if (eq != std::string::npos) vars[entry.substr(0, eq)] = entry;
  };
  for (char** e = environ; *e; ++e) add(*e);
  for (const auto& entry : overrides) add(entry);
  std::vector<std::string> out;
  for (auto& kv : vars) out.push_back(kv.second);
  return out;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

ChildProcess::ChildProcess(const Spec& spec) {
  // Everything the child needs is prepared before fork: after it, only
  // async-signal-safe calls are allowed (the test process has Paho threads).
  std::vector<std::string> argv_strings = {spec.path};
  argv_strings.insert(argv_strings.end(), spec.args.begin(), spec.args.end());
  std::vector<std::string> env_strings = MergedEnvironment(spec.env);
  std::vector<char*> argv = Pointers(argv_strings);
  std::vector<char*> envp = Pointers(env_strings);
  int log_fd = ::open(spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    throw std::runtime_error("cannot open " + spec.log_path + ": " + std::strerror(errno));
  }
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::close_range(3, ~0U, 0);  // no test sockets leak into the daemon
    ::execve(argv[0], argv.data(), envp.data());
    static constexpr char kFailed[] = "harness: execve failed\n";
    ssize_t ignored = ::write(STDERR_FILENO, kFailed, sizeof(kFailed) - 1);
    (void)ignored;
    ::_exit(127);
  }
  int fork_errno = errno;
  ::close(log_fd);
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(fork_errno));
  pid_ = pid;
}

ChildProcess::~ChildProcess() { Stop(SIGTERM); }

void ChildProcess::Reap(int wait_status) {
  exited_ = true;
  if (WIFEXITED(wait_status)) {
    status_ = "exited with status " + std::to_string(WEXITSTATUS(wait_status));
  } else if (WIFSIGNALED(wait_status)) {
    status_ = "killed by signal " + std::to_string(WTERMSIG(wait_status));
  } else {
    status_ = "ended";
  }
}

bool ChildProcess::Running() {
  if (exited_) return false;
  int wait_status = 0;
  pid_t rc = ::waitpid(pid_, &wait_status, WNOHANG);
  if (rc == pid_) Reap(wait_status);
  return !exited_;
}

bool ChildProcess::Stop(int signal, std::chrono::milliseconds timeout) {
  if (!Running()) return true;
  ::kill(pid_, signal);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!Running()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  int wait_status = 0;
  if (::waitpid(pid_, &wait_status, 0) == pid_) Reap(wait_status);
  return false;
}

}  // namespace chat::testing
