// The writer lock of a PostgreSQL database: a session advisory lock on the
// writer's connection.
#include <unistd.h>

#include <climits>

#include "chatd/writer_lock.h"

namespace chat {

namespace {

// The advisory lock's key: any number will do, as long as nothing else in
// the database uses it (the migrator's is 7403915).
constexpr int64_t kWriterLockKey = 7403916;

class PostgresWriterLock final : public WriterLock {
 public:
  explicit PostgresWriterLock(Database& db)
      : name_("advisory lock " + std::to_string(kWriterLockKey) + " in " + db.path()) {
    char host[HOST_NAME_MAX + 1] = {};
    ::gethostname(host, sizeof(host) - 1);
    // What a standby shows as the holder (pg_stat_activity.application_name).
    db.Exec("SET application_name = 'chatd pid " + std::to_string(::getpid()) + " on " +
            SqlSafe(host) + "'");
  }

  bool TryAcquire(Database& db) override {
    auto stmt = db.Prepare("SELECT pg_try_advisory_lock(?1)");
    stmt.Bind(1, kWriterLockKey);
    if (stmt.Step() != Statement::StepResult::kRow || stmt.Int(0) == 0) return false;
    // A holder whose machine vanished without closing its connection keeps
    // the lock until the server notices: TCP keepalives make that seconds.
    db.Exec(
        "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; "
        "SET tcp_keepalives_count = 3");
    return true;
  }

  std::string holder(Database& db) override {
    auto stmt = db.Prepare(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.objid = ?1");
    stmt.Bind(1, kWriterLockKey);
    return stmt.Step() == Statement::StepResult::kRow ? stmt.Text(0) : "unknown";
  }

  std::string name() const override { return name_; }

 private:
  static std::string SqlSafe(std::string text) {
    for (char& c : text) {
      if (c == '\'' || c == '\\') c = '_';
    }
    return text;
  }

  std::string name_;
};

}  // namespace

std::unique_ptr<WriterLock> MakePostgresWriterLock(Database& db) {
  return std::make_unique<PostgresWriterLock>(db);
}

}  // namespace chat
