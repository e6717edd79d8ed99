// Database, Statement and Transaction: the engine-neutral handles.
#include "chat/database.h"

#include <utility>

#include "database_engine.h"

namespace chat {

Database Database::Open(const std::string& path, Mode mode) {
  return Database(detail::OpenSqlite(path, mode), path);
}

Database Database::Adopt(std::unique_ptr<detail::ConnectionEngine> engine, std::string name) {
  return Database(std::move(engine), std::move(name));
}

Database::Database(std::unique_ptr<detail::ConnectionEngine> engine, std::string path)
    : engine_(std::move(engine)), path_(std::move(path)) {}

Database::Database(Database&& other) noexcept
    : engine_(std::move(other.engine_)),
      cache_(std::move(other.cache_)),
      path_(std::move(other.path_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    cache_.clear();  // the statements before the connection they belong to
    engine_ = std::move(other.engine_);
    cache_ = std::move(other.cache_);
    path_ = std::move(other.path_);
  }
  return *this;
}

Database::~Database() { cache_.clear(); }

Database::Lease Database::Cached(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(sql, std::unique_ptr<Statement>(new Statement(engine_->Prepare(sql, true))))
             .first;
  }
  return Lease(*it->second);
}

void Database::Exec(std::string_view sql) { engine_->Exec(sql); }

Statement Database::Prepare(std::string_view sql) {
  return Statement(engine_->Prepare(sql, false));
}

int64_t Database::Changes() { return engine_->Changes(); }

bool Database::InTransaction() { return engine_->InTransaction(); }

bool Database::Lost() { return engine_->Lost(); }

Database::Engine Database::engine() const { return engine_->engine(); }

sqlite3* Database::sqlite_handle() { return engine_->sqlite_handle(); }

Statement::Statement(std::unique_ptr<detail::StatementEngine> engine)
    : engine_(std::move(engine)) {}
Statement::Statement(Statement&&) noexcept = default;
Statement& Statement::operator=(Statement&&) noexcept = default;
Statement::~Statement() = default;

Statement& Statement::Bind(int index, std::string_view text) {
  engine_->Bind(index, text);
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  engine_->Bind(index, value);
  return *this;
}

Statement& Statement::BindNull(int index) {
  engine_->BindNull(index);
  return *this;
}

Statement::StepResult Statement::Step() { return engine_->Step(); }

Statement::StepResult Statement::Run() {
  StepResult result = Step();
  Reset();
  return result;
}

void Statement::RunDeferred() { engine_->RunDeferred(); }

void Statement::Reset() { engine_->Reset(); }
int64_t Statement::Int(int column) const { return engine_->Int(column); }
std::string Statement::Text(int column) const { return engine_->Text(column); }
bool Statement::IsNull(int column) const { return engine_->IsNull(column); }

// BEGIN and COMMIT are cached statements: a writer runs them for every batch.
Transaction::Transaction(Database& db) : db_(db) {
  db_.Cached(std::string(db_.engine_->BeginWrite()))->Run();
}

Transaction::~Transaction() {
  if (!done_) {
    db_.engine_->DiscardDeferred();  // nothing of it is to be kept
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
