// RAII handles over the store's engine: one Database per connection,
// prepared Statements, Transactions. The engine is SQLite (a file: the
// embedded default, and the client library's state file) or PostgreSQL
// (chat/store_target.h opens either from a config's db_path). Both run the
// same SQL: parameters as ?N, ON CONFLICT ... DO ..., RETURNING.
// A Database is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include "chat/store_failure.h"

struct sqlite3;

namespace chat {

namespace detail {
class ConnectionEngine;
class StatementEngine;
}  // namespace detail

// Turns SQLite's memory statistics off for this process: they put a global
// mutex around every allocation, and nothing here reads them (SQLite's docs
// recommend this for speed). Call before the first connection opens; later
// calls do nothing. Database::Open calls it.
void DisableSqliteMemoryStatistics();

class Statement;

class Database {
 public:
  enum class Mode { kReadWrite, kReadOnly };
  enum class Engine { kSqlite, kPostgres };

  // Opens (creating in kReadWrite) the SQLite file at `path` in WAL mode with
  // synchronous=FULL, foreign keys on and a busy timeout, so that several
  // processes (chatd, chatctl) can share it.
  static Database Open(const std::string& path, Mode mode = Mode::kReadWrite);
  // A connection an engine opened; `name` is what errors and logs call it.
  static Database Adopt(std::unique_ptr<detail::ConnectionEngine> engine, std::string name);

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
  // Rows changed by the last INSERT, UPDATE or DELETE run on this connection.
  int64_t Changes();
  bool InTransaction();
  // Whether the connection to the server is gone (PostgreSQL; a SQLite file
  // never is): every statement fails from then on, and the owner should
  // stop, for its service manager to start it again.
  bool Lost();
  Engine engine() const;
  // The SQLite connection (nullptr on PostgreSQL), for SQLite's own tools.
  sqlite3* sqlite_handle();
  // The file, or the PostgreSQL URL without its password.
  const std::string& path() const { return path_; }

 private:
  friend class Transaction;
  Database(std::unique_ptr<detail::ConnectionEngine> engine, std::string path);
  std::unique_ptr<detail::ConnectionEngine> engine_;
  std::unordered_map<std::string, std::unique_ptr<Statement>>
      cache_;  // after engine_: its statements go first
  std::string path_;
};

// A prepared statement. Bind parameters by 1-based index, Step() through rows,
// Reset() to reuse. Throws StoreFailure on engine errors; a constraint
// violation is reported by Step() returning kConstraint. On PostgreSQL a
// constraint violation also ends the transaction it happened in: the stores
// treat it as fatal there, and say ON CONFLICT where a conflict is expected.
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
  // Runs a write whose outcome the caller does not wait for, then resets.
  // On PostgreSQL it is sent with the next statement that waits for an
  // answer (or the COMMIT), in one pipeline: one round trip for all of
  // them, in order, so later reads see it. Its failure, a constraint
  // violation included, is thrown there (the transaction is then lost);
  // on SQLite it runs at once and throws. For writes where a violation is
  // a fault, not an answer.
  void RunDeferred();
  void Reset();

  int64_t Int(int column) const;  // a boolean column reads as 0 or 1
  std::string Text(int column) const;
  bool IsNull(int column) const;

 private:
  friend class Database;
  explicit Statement(std::unique_ptr<detail::StatementEngine> engine);
  std::unique_ptr<detail::StatementEngine> engine_;
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
  explicit Transaction(Database& db);  // a write transaction from the start
  ~Transaction();
  void Commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace chat
