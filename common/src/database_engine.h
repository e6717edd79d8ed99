// What a storage engine provides under chat::Database and chat::Statement:
// SQLite (sqlite_engine.cc) or PostgreSQL through libpq (postgres_engine.cc).
// The stores write one SQL dialect both engines accept (parameters as ?N,
// ON CONFLICT ... DO ..., RETURNING); what differs (schema DDL, the schema
// version, locking) is chosen by Database::engine().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "chat/database.h"

namespace chat::detail {

class StatementEngine {
 public:
  virtual ~StatementEngine() = default;
  virtual void Bind(int index, std::string_view text) = 0;
  virtual void Bind(int index, int64_t value) = 0;
  virtual void BindNull(int index) = 0;
  virtual Statement::StepResult Step() = 0;
  // Runs the bound statement for its effect alone (Statement::RunDeferred),
  // then resets it.
  virtual void RunDeferred() = 0;
  // Ends any read in progress and clears the bindings.
  virtual void Reset() = 0;
  virtual int64_t Int(int column) const = 0;
  virtual std::string Text(int column) const = 0;
  virtual bool IsNull(int column) const = 0;
};

class ConnectionEngine {
 public:
  virtual ~ConnectionEngine() = default;
  virtual Database::Engine engine() const = 0;
  virtual void Exec(std::string_view sql) = 0;
  // `kept`: the statement lives as long as the connection (Database::Cached)
  // and is worth preparing once on the server.
  virtual std::unique_ptr<StatementEngine> Prepare(std::string_view sql, bool kept) = 0;
  // Rows changed by the last INSERT, UPDATE or DELETE this connection ran.
  virtual int64_t Changes() = 0;
  // Drops the deferred statements not yet sent (before a rollback).
  virtual void DiscardDeferred() {}
  virtual bool InTransaction() = 0;
  // Whether the connection is gone for good (a server that went away).
  virtual bool Lost() { return false; }
  // The statement that opens a write transaction.
  virtual std::string_view BeginWrite() const = 0;
  virtual sqlite3* sqlite_handle() { return nullptr; }
};

std::unique_ptr<ConnectionEngine> OpenSqlite(const std::string& path, Database::Mode mode);
std::unique_ptr<ConnectionEngine> OpenPostgres(const std::string& url, Database::Mode mode);
// `url` with the password of its user part, if any, replaced by ***.
std::string RedactedUrl(const std::string& url);

}  // namespace chat::detail
