// The writer lock of a SQLite database: flock(2) on its lock file.
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

namespace {

class FileWriterLock final : public WriterLock {
 public:
  explicit FileWriterLock(const std::string& db_path) : path_(db_path + ".writer.lock") {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd_ < 0) {
      throw std::runtime_error("cannot open the writer lock " + path_ + ": " +
                               std::strerror(errno));
    }
  }
  ~FileWriterLock() override { ::close(fd_); }  // releases the lock

  bool TryAcquire(Database&) override {
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

  std::string holder(Database&) override {
    char text[32] = {};
    ssize_t n = ::pread(fd_, text, sizeof(text) - 1, 0);
    long pid = n > 0 ? std::strtol(text, nullptr, 10) : 0;
    return pid > 0 ? "pid " + std::to_string(pid) : "unknown";
  }

  std::string name() const override { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace

std::unique_ptr<WriterLock> MakeFileWriterLock(const std::string& db_path) {
  return std::make_unique<FileWriterLock>(db_path);
}

std::unique_ptr<WriterLock> WriterLock::For(Database& db) {
  if (db.engine() == Database::Engine::kPostgres) return MakePostgresWriterLock(db);
  return MakeFileWriterLock(db.path());
}

}  // namespace chat
