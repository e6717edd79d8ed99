// SQLite connection, statement and transaction handles.
#include "chat/database.h"

#include <utility>

namespace chat {

void DisableSqliteMemoryStatistics() {
  // sqlite3_config is allowed only before SQLite initializes: once per process.
  static const int rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)rc;
}

namespace {
[[noreturn]] void Fail(sqlite3* db, std::string_view what) {
  throw StoreFailure(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}
}  // namespace

Database Database::Open(const std::string& path, Mode mode) {
  DisableSqliteMemoryStatistics();
  sqlite3* raw = nullptr;
  int flags =
      mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Database db(raw, path);
  if (rc != SQLITE_OK) Fail(raw, "cannot open database " + path);
  sqlite3_busy_timeout(raw, 5000);
  sqlite3_extended_result_codes(raw, 1);
  if (mode == Mode::kReadWrite) {
    db.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
  }
  return db;
}

Database::Database(Database&& other) noexcept
    : cache_(std::move(other.cache_)),
      db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    cache_.clear();
    if (db_) sqlite3_close_v2(db_);
    cache_ = std::move(other.cache_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

Database::~Database() {
  cache_.clear();
  if (db_) sqlite3_close_v2(db_);
}

Database::Lease Database::Cached(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(sql, std::make_unique<Statement>(Prepare(sql))).first;
  }
  return Lease(*it->second);
}

void Database::Exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string error = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw StoreFailure(path_ + ": " + error);
  }
}

Statement Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    Fail(db_, "prepare failed for \"" + std::string(sql) + "\"");
  }
  return Statement(stmt, db_);
}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), db_(other.db_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_) sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    db_ = other.db_;
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement& Statement::Bind(int index, std::string_view text) {
  if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    Fail(db_, "bind");
  }
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) Fail(db_, "bind");
  return *this;
}

Statement& Statement::BindNull(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) Fail(db_, "bind");
  return *this;
}

Statement::StepResult Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return StepResult::kRow;
  if (rc == SQLITE_DONE) return StepResult::kDone;
  if ((rc & 0xFF) == SQLITE_CONSTRAINT) {
    sqlite3_reset(stmt_);
    return StepResult::kConstraint;
  }
  std::string error = sqlite3_errmsg(db_);
  sqlite3_reset(stmt_);
  throw StoreFailure("step failed: " + error);
}

Statement::StepResult Statement::Run() {
  StepResult result = Step();
  Reset();
  return result;
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  return text ? std::string(reinterpret_cast<const char*>(text),
                            static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
              : std::string();
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// BEGIN and COMMIT are cached statements: a writer runs them for every batch.
Transaction::Transaction(Database& db) : db_(db) { db_.Cached("BEGIN IMMEDIATE")->Run(); }

Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.Cached("ROLLBACK")->Run();
    } catch (const StoreFailure&) {
      // The engine already rolled back (e.g. after an I/O error); nothing to undo.
    }
  }
}

void Transaction::Commit() {
  if (db_.Cached("COMMIT")->Run() == Statement::StepResult::kConstraint) {
    throw StoreFailure(db_.path() + ": commit refused by a deferred constraint");
  }
  done_ = true;
}

}  // namespace chat
