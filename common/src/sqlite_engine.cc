// The SQLite engine: a file in WAL mode, shared by chatd, pushd, chatctl and
// the broker plugin on one machine.
#include <sqlite3.h>

#include "database_engine.h"

namespace chat {

void DisableSqliteMemoryStatistics() {
  // sqlite3_config is allowed only before SQLite initializes: once per process.
  static const int rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)rc;
}

namespace detail {
namespace {

[[noreturn]] void Fail(sqlite3* db, std::string_view what) {
  throw StoreFailure(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

class SqliteStatement final : public StatementEngine {
 public:
  SqliteStatement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }

  void Bind(int index, std::string_view text) override {
    if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                          SQLITE_TRANSIENT) != SQLITE_OK) {
      Fail(db_, "bind");
    }
  }
  void Bind(int index, int64_t value) override {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) Fail(db_, "bind");
  }
  void BindNull(int index) override {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) Fail(db_, "bind");
  }
  Statement::StepResult Step() override {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return Statement::StepResult::kRow;
    if (rc == SQLITE_DONE) return Statement::StepResult::kDone;
    if ((rc & 0xFF) == SQLITE_CONSTRAINT) {
      sqlite3_reset(stmt_);
      return Statement::StepResult::kConstraint;
    }
    std::string error = sqlite3_errmsg(db_);
    sqlite3_reset(stmt_);
    throw StoreFailure("step failed: " + error);
  }
  // In-process: nothing to gain by waiting, so it runs at once.
  void RunDeferred() override {
    Statement::StepResult result = Step();
    Reset();
    if (result == Statement::StepResult::kConstraint) {
      throw StoreFailure(std::string("constraint violated by \"") + sqlite3_sql(stmt_) + "\"");
    }
  }
  void Reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  int64_t Int(int column) const override { return sqlite3_column_int64(stmt_, column); }
  std::string Text(int column) const override {
    const auto* text = sqlite3_column_text(stmt_, column);
    return text ? std::string(reinterpret_cast<const char*>(text),
                              static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
                : std::string();
  }
  bool IsNull(int column) const override {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }

 private:
  sqlite3_stmt* stmt_;
  sqlite3* db_;
};

class SqliteConnection final : public ConnectionEngine {
 public:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() override { sqlite3_close_v2(db_); }

  Database::Engine engine() const override { return Database::Engine::kSqlite; }
  void Exec(std::string_view sql) override {
    std::string text(sql);
    char* message = nullptr;
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string error = message ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      throw StoreFailure(path_ + ": " + error);
    }
  }
  std::unique_ptr<StatementEngine> Prepare(std::string_view sql, bool) override {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &stmt, nullptr) != SQLITE_OK) {
      Fail(db_, "prepare failed for \"" + std::string(sql) + "\"");
    }
    return std::make_unique<SqliteStatement>(stmt, db_);
  }
  int64_t Changes() override { return sqlite3_changes64(db_); }
  bool InTransaction() override { return !sqlite3_get_autocommit(db_); }
  std::string_view BeginWrite() const override { return "BEGIN IMMEDIATE"; }
  sqlite3* sqlite_handle() override { return db_; }

 private:
  sqlite3* db_;
  std::string path_;
};

}  // namespace

std::unique_ptr<ConnectionEngine> OpenSqlite(const std::string& path, Database::Mode mode) {
  DisableSqliteMemoryStatistics();
  sqlite3* raw = nullptr;
  int flags = mode == Database::Mode::kReadOnly ? SQLITE_OPEN_READONLY
                                                : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  auto connection = std::make_unique<SqliteConnection>(raw, path);  // closes `raw` on failure too
  if (rc != SQLITE_OK) Fail(raw, "cannot open database " + path);
  sqlite3_busy_timeout(raw, 5000);
  sqlite3_extended_result_codes(raw, 1);
  if (mode == Database::Mode::kReadWrite) {
    connection->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
  }
  return connection;
}

}  // namespace detail
}  // namespace chat
