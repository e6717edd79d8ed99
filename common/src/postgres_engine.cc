// The PostgreSQL engine, on libpq: for installations that outgrow one
// machine (docs/ARCHITECTURE.md, "Storage"). Statements keep the stores'
// ?N parameters, rewritten to $N; values travel as text; each Step() of a
// fresh execution is one round trip that fetches every row. A cached
// statement (Database::Cached) is prepared on the server at its first
// execution and only executed after that: no parse and plan per message.
#include <libpq-fe.h>

#include <cstdlib>
#include <optional>
#include <vector>

#include "database_engine.h"

namespace chat::detail {
namespace {

// ?N -> $N outside quoted text; returns the highest N, the parameter count.
int RewriteParameters(std::string_view sql, std::string& out) {
  int count = 0;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '?') {
      std::size_t j = i + 1;
      int n = 0;
      while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') n = n * 10 + (sql[j++] - '0');
      if (j == i + 1) throw StoreFailure("a bare ? in \"" + std::string(sql) + "\": write ?N");
      out += '$';
      out.append(sql.substr(i + 1, j - i - 1));
      if (n > count) count = n;
      i = j - 1;
      continue;
    }
    out += c;
  }
  return count;
}

std::string ErrorOf(PGconn* conn, const PGresult* result) {
  std::string error = result ? PQresultErrorMessage(result) : PQerrorMessage(conn);
  while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
  return error.empty() ? "no answer from the server" : error;
}

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

class PostgresConnection;

class PostgresStatement final : public StatementEngine {
 public:
  PostgresStatement(PostgresConnection& connection, std::string sql, int parameters,
                    std::string prepared_name)
      : connection_(connection),
        sql_(std::move(sql)),
        params_(static_cast<std::size_t>(parameters)),
        prepared_name_(std::move(prepared_name)) {}

  void Bind(int index, std::string_view text) override { Slot(index).emplace(text); }
  void Bind(int index, int64_t value) override { Slot(index).emplace(std::to_string(value)); }
  void BindNull(int index) override { Slot(index).reset(); }
  Statement::StepResult Step() override;
  void Reset() override {
    result_.reset();
    row_ = -1;
    for (auto& param : params_) param.reset();
  }
  int64_t Int(int column) const override {
    const char* value = PQgetvalue(result_.get(), row_, column);
    if (value[0] == 't' && value[1] == 0) return 1;  // a boolean
    if (value[0] == 'f' && value[1] == 0) return 0;
    return std::strtoll(value, nullptr, 10);
  }
  std::string Text(int column) const override {
    return std::string(PQgetvalue(result_.get(), row_, column),
                       static_cast<std::size_t>(PQgetlength(result_.get(), row_, column)));
  }
  bool IsNull(int column) const override { return PQgetisnull(result_.get(), row_, column) != 0; }

 private:
  std::optional<std::string>& Slot(int index) {
    if (index < 1 || static_cast<std::size_t>(index) > params_.size()) {
      throw StoreFailure("bind of parameter " + std::to_string(index) + " in \"" + sql_ +
                         "\", which has " + std::to_string(params_.size()));
    }
    return params_[static_cast<std::size_t>(index - 1)];
  }

  PostgresConnection& connection_;
  std::string sql_;
  std::vector<std::optional<std::string>> params_;
  std::string prepared_name_;  // empty: parsed at every execution
  bool prepared_ = false;
  Result result_;
  int row_ = -1;
};

class PostgresConnection final : public ConnectionEngine {
 public:
  PostgresConnection(PGconn* conn, std::string name) : conn_(conn), name_(std::move(name)) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  Database::Engine engine() const override { return Database::Engine::kPostgres; }
  void Exec(std::string_view sql) override {
    Result result(PQexec(conn_, std::string(sql).c_str()));
    ExpectOk(result.get(), sql);
  }
  std::unique_ptr<StatementEngine> Prepare(std::string_view sql, bool kept) override {
    std::string rewritten;
    int parameters = RewriteParameters(sql, rewritten);
    std::string name = kept ? "chat_" + std::to_string(++prepared_) : std::string();
    return std::make_unique<PostgresStatement>(*this, std::move(rewritten), parameters,
                                               std::move(name));
  }
  int64_t Changes() override { return changes_; }
  bool InTransaction() override { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }
  bool Lost() override { return PQstatus(conn_) == CONNECTION_BAD; }
  std::string_view BeginWrite() const override { return "BEGIN"; }

  // Prepares `sql` on the server as `name`.
  void PrepareOnServer(const std::string& name, const std::string& sql, int parameters) {
    Result result(PQprepare(conn_, name.c_str(), sql.c_str(), parameters, nullptr));
    ExpectOk(result.get(), sql);
  }

  // Runs one statement (the prepared one `name`, if not empty); a
  // constraint violation comes back as nullptr.
  Result Run(const std::string& name, const std::string& sql,
             const std::vector<std::optional<std::string>>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
    int count = static_cast<int>(values.size());
    Result result(
        name.empty()
            ? PQexecParams(conn_, sql.c_str(), count, nullptr, values.data(), nullptr, nullptr, 0)
            : PQexecPrepared(conn_, name.c_str(), count, values.data(), nullptr, nullptr, 0));
    ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_FATAL_ERROR && result) {
      const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
      if (state && state[0] == '2' && state[1] == '3') return nullptr;  // integrity violation
    }
    ExpectOk(result.get(), sql);
    const char* tuples = PQcmdTuples(result.get());
    if (tuples[0] != 0) changes_ = std::strtoll(tuples, nullptr, 10);
    return result;
  }

 private:
  void ExpectOk(const PGresult* result, std::string_view sql) {
    ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
    std::string where = PQstatus(conn_) == CONNECTION_BAD ? " (the connection is gone)" : "";
    throw StoreFailure(name_ + where + ": " + ErrorOf(conn_, result) + " in \"" + std::string(sql) +
                       "\"");
  }

  PGconn* conn_;
  std::string name_;
  int64_t changes_ = 0;
  int prepared_ = 0;  // statements prepared on the server so far
};

Statement::StepResult PostgresStatement::Step() {
  if (!result_) {
    if (!prepared_name_.empty() && !prepared_) {
      connection_.PrepareOnServer(prepared_name_, sql_, static_cast<int>(params_.size()));
      prepared_ = true;
    }
    result_ = connection_.Run(prepared_name_, sql_, params_);
    if (!result_) return Statement::StepResult::kConstraint;
    row_ = -1;
  }
  if (++row_ < PQntuples(result_.get())) return Statement::StepResult::kRow;
  row_ = PQntuples(result_.get());
  return Statement::StepResult::kDone;
}

}  // namespace

std::unique_ptr<ConnectionEngine> OpenPostgres(const std::string& url, Database::Mode mode) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string name = RedactedUrl(url);
  auto connection = std::make_unique<PostgresConnection>(conn, name);
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    throw StoreFailure("cannot connect to " + name + ": " + ErrorOf(conn, nullptr));
  }
  // Notices (e.g. "relation already exists, skipping") are not errors.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  // A reader's transaction is one snapshot, as a SQLite read transaction
  // is (a sync reply's pages agree with each other); the writer's commits
  // wait for the server's WAL flush.
  connection->Exec(mode == Database::Mode::kReadOnly
                       ? "SET default_transaction_read_only = on; "
                         "SET default_transaction_isolation = 'repeatable read'"
                       : "SET synchronous_commit = on");
  return connection;
}

std::string RedactedUrl(const std::string& url) {
  // postgresql://user:secret@host/db -> postgresql://user:***@host/db
  std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  std::size_t at = url.find('@', scheme + 3);
  if (at == std::string::npos) return url;
  std::size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

}  // namespace chat::detail
