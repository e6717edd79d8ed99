// The PostgreSQL engine, on libpq: for installations that outgrow one
// machine (docs/ARCHITECTURE.md, "Storage"). Statements keep the stores'
// ?N parameters, rewritten to $N; values travel as text; each Step() of a
// fresh execution is one round trip that fetches every row. A cached
// statement (Database::Cached) is prepared on the server at its first
// execution and only executed after that: no parse and plan per message.
// Deferred writes (Statement::RunDeferred) wait on the connection and go
// out in one libpq pipeline with the next statement that waits for an
// answer: one round trip for all of them.
#include <libpq-fe.h>

#include <cstdlib>
#include <optional>
#include <unordered_set>
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

// Deferred statements sent in one pipeline at most.
constexpr std::size_t kMaxDeferred = 256;

// One execution of a statement, as sent to the server.
struct Call {
  std::string name;  // of the statement kept prepared on the server; empty: none
  std::string sql;
  std::vector<std::optional<std::string>> params;
};

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
  void RunDeferred() override;
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
  // This execution, with its bindings.
  Call NextCall();
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
  Result result_;
  int row_ = -1;
};

class PostgresConnection final : public ConnectionEngine {
 public:
  PostgresConnection(PGconn* conn, std::string name) : conn_(conn), name_(std::move(name)) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  Database::Engine engine() const override { return Database::Engine::kPostgres; }
  void Exec(std::string_view sql) override {
    Flush();
    Result result(PQexec(conn_, std::string(sql).c_str()));
    ExpectOk(result.get(), sql);
  }
  std::unique_ptr<StatementEngine> Prepare(std::string_view sql, bool kept) override {
    std::string rewritten;
    int parameters = RewriteParameters(sql, rewritten);
    std::string name = kept ? "chat_" + std::to_string(++kept_) : std::string();
    return std::make_unique<PostgresStatement>(*this, std::move(rewritten), parameters,
                                               std::move(name));
  }
  int64_t Changes() override {
    Flush();
    return changes_;
  }
  bool InTransaction() override { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }
  bool Lost() override { return PQstatus(conn_) == CONNECTION_BAD; }
  std::string_view BeginWrite() const override { return "BEGIN"; }

  // Runs one statement (the prepared one `name`, if not empty; prepared
  // on the server at its first execution) after the deferred ones, in one
  // pipeline; a constraint violation of this statement comes back as nullptr.
  Result Run(const Call& call) {
    if (!deferred_.empty()) return RunPipeline(&call);
    if (NeedsPrepare(call)) {
      Result prepared(PQprepare(conn_, call.name.c_str(), call.sql.c_str(),
                                static_cast<int>(call.params.size()), nullptr));
      ExpectOk(prepared.get(), call.sql);
      prepared_.insert(call.name);
    }
    std::vector<const char*> values = Values(call);
    int count = static_cast<int>(values.size());
    Result result(call.name.empty() ? PQexecParams(conn_, call.sql.c_str(), count, nullptr,
                                                   values.data(), nullptr, nullptr, 0)
                                    : PQexecPrepared(conn_, call.name.c_str(), count, values.data(),
                                                     nullptr, nullptr, 0));
    if (IsConstraintViolation(result.get())) return nullptr;
    ExpectOk(result.get(), call.sql);
    CountChanges(result.get());
    return result;
  }

  void Defer(Call call) {
    deferred_.push_back(std::move(call));
    // The server's answers wait in the socket until the pipeline is read:
    // a bounded pipeline keeps them from filling it (libpq's warning).
    if (deferred_.size() >= kMaxDeferred) Flush();
  }
  void DiscardDeferred() override { deferred_.clear(); }

 private:
  // What the server answered to one command of a pipeline.
  struct Answer {
    const Call* call;
    bool prepare;  // the PQsendPrepare of `call`, not its execution
    Result result;
  };

  bool NeedsPrepare(const Call& call) const {
    return !call.name.empty() && !prepared_.count(call.name);
  }

  static std::vector<const char*> Values(const Call& call) {
    std::vector<const char*> values;
    values.reserve(call.params.size());
    for (const auto& param : call.params) values.push_back(param ? param->c_str() : nullptr);
    return values;
  }

  static bool IsConstraintViolation(const PGresult* result) {
    if (!result || PQresultStatus(result) != PGRES_FATAL_ERROR) return false;
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    return state && state[0] == '2' && state[1] == '3';  // integrity violation
  }

  void CountChanges(const PGresult* result) {
    const char* tuples = PQcmdTuples(const_cast<PGresult*>(result));
    if (tuples[0] != 0) changes_ = std::strtoll(tuples, nullptr, 10);
  }

  // Sends every deferred statement and then `current` (if any) without
  // waiting, and reads the answers once: one round trip. Throws the first
  // failure of a deferred statement; returns current's result as Run does.
  Result RunPipeline(const Call* current) {
    std::vector<Call> calls = std::move(deferred_);
    deferred_.clear();
    if (current) calls.push_back(*current);
    if (PQenterPipelineMode(conn_) != 1) Fail("cannot start a pipeline", calls.front().sql);
    std::vector<Answer> answers;
    std::unordered_set<std::string> preparing;  // a statement twice in the pipeline
    std::size_t sends = 0;
    for (const Call& call : calls) {
      std::vector<const char*> values = Values(call);
      int count = static_cast<int>(values.size());
      if (NeedsPrepare(call) && preparing.insert(call.name).second) {
        ++sends;
        if (PQsendPrepare(conn_, call.name.c_str(), call.sql.c_str(), count, nullptr) != 1) break;
        answers.push_back({&call, true, nullptr});
      }
      ++sends;
      int sent = call.name.empty() ? PQsendQueryParams(conn_, call.sql.c_str(), count, nullptr,
                                                       values.data(), nullptr, nullptr, 0)
                                   : PQsendQueryPrepared(conn_, call.name.c_str(), count,
                                                         values.data(), nullptr, nullptr, 0);
      if (sent != 1) break;
      answers.push_back({&call, false, nullptr});
    }
    bool synced = PQpipelineSync(conn_) == 1;
    // Each command's answer is one result and a null; the sync's closes all.
    std::size_t next = 0;
    int nulls = 0;
    while (synced) {
      PGresult* raw = PQgetResult(conn_);
      if (!raw) {
        if (++nulls > 1 || PQstatus(conn_) == CONNECTION_BAD) break;
        continue;
      }
      nulls = 0;
      Result result(raw);
      if (PQresultStatus(raw) == PGRES_PIPELINE_SYNC) break;
      if (next < answers.size()) answers[next++].result = std::move(result);
    }
    PQexitPipelineMode(conn_);
    // A statement is prepared on the server only if its prepare succeeded
    // (not if the pipeline was aborted before it).
    for (const Answer& answer : answers) {
      if (answer.prepare && answer.result &&
          PQresultStatus(answer.result.get()) == PGRES_COMMAND_OK) {
        prepared_.insert(answer.call->name);
      }
    }
    if (answers.size() < sends || next < answers.size()) {
      Fail("the pipeline was cut off", calls.back().sql);
    }
    Result current_result;
    for (Answer& answer : answers) {
      const bool is_current = current && answer.call == &calls.back();
      ExecStatusType status = PQresultStatus(answer.result.get());
      if (status == PGRES_PIPELINE_ABORTED) continue;  // after the failure already met
      if (is_current && !answer.prepare) {
        if (IsConstraintViolation(answer.result.get())) return nullptr;
        ExpectOk(answer.result.get(), answer.call->sql);
        CountChanges(answer.result.get());
        current_result = std::move(answer.result);
        continue;
      }
      ExpectOk(answer.result.get(), answer.call->sql);
      if (!answer.prepare) CountChanges(answer.result.get());
    }
    if (current && !current_result) Fail("no answer", calls.back().sql);
    return current_result;
  }

  // Sends what was deferred, if anything was: before an Exec or a count.
  void Flush() {
    if (!deferred_.empty()) RunPipeline(nullptr);
  }

  [[noreturn]] void Fail(std::string_view what, std::string_view sql) {
    throw StoreFailure(name_ + ": " + std::string(what) + ": " + ErrorOf(conn_, nullptr) +
                       " in \"" + std::string(sql) + "\"");
  }

  void ExpectOk(const PGresult* result, std::string_view sql) {
    ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
    std::string where = PQstatus(conn_) == CONNECTION_BAD ? " (the connection is gone)" : "";
    throw StoreFailure(name_ + where + ": " + ErrorOf(conn_, result) + " in \"" + std::string(sql) +
                       "\"");
  }

  PGconn* conn_;
  std::string name_;
  std::vector<Call> deferred_;  // sent with the next statement that waits
  int64_t changes_ = 0;
  int kept_ = 0;                              // statements named for preparing on the server so far
  std::unordered_set<std::string> prepared_;  // their names, once prepared there
};

Call PostgresStatement::NextCall() { return Call{prepared_name_, sql_, params_}; }

Statement::StepResult PostgresStatement::Step() {
  if (!result_) {
    result_ = connection_.Run(NextCall());
    if (!result_) return Statement::StepResult::kConstraint;
    row_ = -1;
  }
  if (++row_ < PQntuples(result_.get())) return Statement::StepResult::kRow;
  row_ = PQntuples(result_.get());
  return Statement::StepResult::kDone;
}

void PostgresStatement::RunDeferred() {
  // Outside a transaction nothing would send it: it runs now.
  if (!connection_.InTransaction()) {
    Statement::StepResult result = Step();
    Reset();
    if (result == Statement::StepResult::kConstraint) {
      throw StoreFailure("constraint violated by \"" + sql_ + "\"");
    }
    return;
  }
  connection_.Defer(NextCall());
  Reset();
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
