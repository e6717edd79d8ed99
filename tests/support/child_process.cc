// fork/exec of the daemons and helpers of tests and benchmark.
#include "chat/support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace chat::support {

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
  // async-signal-safe calls are allowed (the parent has other threads).
  std::vector<std::string> argv_strings = {spec.path};
  argv_strings.insert(argv_strings.end(), spec.args.begin(), spec.args.end());
  std::vector<std::string> env_strings = MergedEnvironment(spec.env);
  std::vector<char*> argv = Pointers(argv_strings);
  std::vector<char*> envp = Pointers(env_strings);
  int log_fd = ::open(spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    throw std::runtime_error("cannot open " + spec.log_path + ": " + std::strerror(errno));
  }
  int in_pipe[2] = {-1, -1};
  int out_pipe[2] = {-1, -1};
  if (spec.pipe_stdio && (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0)) {
    for (int fd : {log_fd, in_pipe[0], in_pipe[1]}) {
      if (fd >= 0) ::close(fd);
    }
    throw std::runtime_error("pipe2 failed");
  }
  rlimit nofile{};
  ::getrlimit(RLIMIT_NOFILE, &nofile);
  nofile.rlim_cur = nofile.rlim_max;
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    if (spec.raise_nofile) ::setrlimit(RLIMIT_NOFILE, &nofile);
    ::dup2(log_fd, STDERR_FILENO);
    if (spec.pipe_stdio) {
      ::dup2(in_pipe[0], STDIN_FILENO);
      ::dup2(out_pipe[1], STDOUT_FILENO);
    } else {
      ::dup2(log_fd, STDOUT_FILENO);
      int null_fd = ::open("/dev/null", O_RDONLY);
      if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    }
    ::close_range(3, ~0U, 0);  // no sockets of the parent leak into the child
    ::execve(argv[0], argv.data(), envp.data());
    static constexpr char kFailed[] = "execve failed\n";
    ssize_t ignored = ::write(STDERR_FILENO, kFailed, sizeof(kFailed) - 1);
    (void)ignored;
    ::_exit(127);
  }
  int fork_errno = errno;
  ::close(log_fd);
  if (spec.pipe_stdio) {
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    stdin_fd_ = in_pipe[1];
    stdout_fd_ = out_pipe[0];
  }
  if (pid < 0) {
    CloseStdin();
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
    throw std::runtime_error(std::string("fork failed: ") + std::strerror(fork_errno));
  }
  pid_ = pid;
}

ChildProcess::~ChildProcess() {
  Stop(SIGTERM);
  CloseStdin();
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

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
  if (::waitpid(pid_, &wait_status, WNOHANG) == pid_) Reap(wait_status);
  return !exited_;
}

std::optional<std::string> ChildProcess::ReadLine(std::chrono::steady_clock::time_point deadline) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  if (stdout_fd_ < 0) return std::nullopt;
  while (true) {
    auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    auto left = duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return std::nullopt;
    pollfd pfd{stdout_fd_, POLLIN, 0};
    int rc = ::poll(&pfd, 1, static_cast<int>(std::min<int64_t>(left, 1000)));
    if (rc < 0 && errno != EINTR) return std::nullopt;
    if (rc <= 0) continue;
    char chunk[4096];
    ssize_t n = ::read(stdout_fd_, chunk, sizeof(chunk));
    if (n <= 0) return std::nullopt;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

bool ChildProcess::Write(const std::string& text) {
  if (stdin_fd_ < 0) return false;
  return ::write(stdin_fd_, text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

void ChildProcess::CloseStdin() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  stdin_fd_ = -1;
}

bool ChildProcess::Stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ < 0 || !Running()) return true;
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

}  // namespace chat::support
