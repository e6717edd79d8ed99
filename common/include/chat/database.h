// RAII handles over SQLite: one Database per connection, prepared Statements.
// A Database is used by one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include "chat/store_failure.h"

namespace chat {

// Turns SQLite's memory statistics off for this process: they put a global
// mutex around every allocation, and nothing here reads them (SQLite's docs
// recommend this for speed). Call before the first connection opens; later
// calls do nothing. Database::Open calls it.
void DisableSqliteMemoryStatistics();

class Statement;

class Database {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // Opens (creating in kReadWrite) the file at `path` in WAL mode with
  // synchronous=FULL, foreign keys on and a busy timeout, so that several
  // processes (chatd, chatctl) can share it.
  static Database Open(const std::string& path, Mode mode = Mode::kReadWrite);

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  ~Database();

  // Runs one or more statements with no results; throws StoreFailure.
  void Exec(std::string_view sql);
  Statement Prepare(std::string_view sql);
  // A statement prepared once per connection and kept; the lease resets it
  // (ending any read it holds open) when it goes out of scope.
  class Lease;
  Lease Cached(const std::string& sql);
  sqlite3* handle() { return db_; }
  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  std::unordered_map<std::string, std::unique_ptr<Statement>>
      cache_;  // before db_: finalized first
  sqlite3* db_ = nullptr;
  std::string path_;
};

// A prepared statement. Bind parameters by 1-based index, Step() through rows,
// Reset() to reuse. Throws StoreFailure on engine errors; a constraint
// violation is reported by Step() returning kConstraint.
class Statement {
 public:
  enum class StepResult { kRow, kDone, kConstraint };

  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  ~Statement();

  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, int64_t value);
  Statement& BindNull(int index);
  StepResult Step();
  // Steps once and expects kDone (or kConstraint), then resets.
  StepResult Run();
  void Reset();

  int64_t Int(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;

 private:
  friend class Database;
  Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
};

class Database::Lease {
 public:
  explicit Lease(Statement& stmt) : stmt_(stmt) {}
  ~Lease() { stmt_.Reset(); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Statement* operator->() { return &stmt_; }
  Statement& operator*() { return stmt_; }

 private:
  Statement& stmt_;
};

// A transaction that rolls back unless Commit() is called.
class Transaction {
 public:
  explicit Transaction(Database& db);  // BEGIN IMMEDIATE
  ~Transaction();
  void Commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace chat
