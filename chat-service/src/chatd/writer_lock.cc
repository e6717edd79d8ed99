// flock(2) on the database's lock file.
#include "chatd/writer_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

namespace chat {

WriterLock::WriterLock(const std::string& db_path) : path_(db_path + ".writer.lock") {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    throw std::runtime_error("cannot open the writer lock " + path_ + ": " + std::strerror(errno));
  }
}

WriterLock::~WriterLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

bool WriterLock::TryAcquire() {
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK || errno == EINTR) return false;
    throw std::runtime_error("cannot lock " + path_ + ": " + std::strerror(errno));
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  bool written = ::ftruncate(fd_, 0) == 0 &&
                 ::pwrite(fd_, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
  (void)written;  // the pid is only for a standby's log: unwritten, it shows as unknown
  return true;
}

long WriterLock::holder_pid() const {
  char text[32] = {};
  ssize_t n = ::pread(fd_, text, sizeof(text) - 1, 0);
  if (n <= 0) return 0;
  return std::strtol(text, nullptr, 10);
}

}  // namespace chat
