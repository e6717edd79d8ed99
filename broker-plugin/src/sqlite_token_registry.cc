// Token registration lookups in SQLite, read-only and fail-closed.
#include "sqlite_token_registry.h"

#include <utility>

#include "chat/database.h"
#include "registration_lookup.h"

namespace chat::plugin {

namespace {

// A deferred transaction: the read snapshot begins at the first lookup.
constexpr std::string_view kBeginSql = "BEGIN";
constexpr std::string_view kCommitSql = "COMMIT";

}  // namespace

std::string_view RegistrationStatusName(RegistrationStatus status) {
  switch (status) {
    case RegistrationStatus::kActive: return "active";
    case RegistrationStatus::kUnknownToken: return "unknown_token";
    case RegistrationStatus::kRevoked: return "revoked";
    case RegistrationStatus::kUnknownDevice: return "unknown_device";
    case RegistrationStatus::kUnknownUser: return "no_such_user";
    case RegistrationStatus::kUserDisabled: return "user_disabled";
    case RegistrationStatus::kUnavailable: return "registry_unavailable";
  }
  return "unknown";
}

SqliteTokenRegistry::SqliteTokenRegistry(std::string db_path, int busy_timeout_ms,
                                         std::chrono::milliseconds max_snapshot_age)
    : db_path_(std::move(db_path)),
      busy_timeout_ms_(busy_timeout_ms),
      max_snapshot_age_(max_snapshot_age) {}

Status SqliteTokenRegistry::Open() {
  DisableSqliteMemoryStatistics();
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(db_path_.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  db_.reset(raw);  // sqlite3_open_v2 may return a handle even on failure
  if (rc != SQLITE_OK) {
    Status error = Status::Failed("cannot open " + db_path_ + ": " +
                                  (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    Close();
    return error;
  }
  sqlite3_busy_timeout(raw, busy_timeout_ms_);
  for (auto [sql, statement] : {std::pair{kRegistrationLookupSql, &lookup_},
                                std::pair{kBeginSql, &begin_}, std::pair{kCommitSql, &commit_}}) {
    Status prepared = Prepare(sql, *statement);
    if (!prepared.ok()) {
      Close();
      return prepared;
    }
  }
  return Status::Ok();
}

Status SqliteTokenRegistry::Prepare(std::string_view sql, Statement& out) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  out.reset(stmt);
  if (rc == SQLITE_OK) return Status::Ok();
  return Status::Failed("cannot query " + db_path_ + ": " + sqlite3_errmsg(db_.get()));
}

void SqliteTokenRegistry::Close() {
  lookup_.reset();
  commit_.reset();
  begin_.reset();
  db_.reset();  // also ends an open snapshot
  in_snapshot_ = false;
}

void SqliteTokenRegistry::EndSnapshot() {
  if (!in_snapshot_) return;
  in_snapshot_ = false;
  int rc = sqlite3_step(commit_.get());
  sqlite3_reset(commit_.get());
  // A read-only COMMIT does not fail; if it did, start afresh next time.
  if (rc != SQLITE_DONE) Close();
}

Status SqliteTokenRegistry::EnsureSnapshot() {
  auto now = std::chrono::steady_clock::now();
  if (in_snapshot_ && now - snapshot_started_ <= max_snapshot_age_) return Status::Ok();
  EndSnapshot();
  if (!db_) {
    if (Status opened = Open(); !opened.ok()) return opened;
  }
  int rc = sqlite3_step(begin_.get());
  sqlite3_reset(begin_.get());
  if (rc != SQLITE_DONE) {
    Status error = Status::Failed("cannot query " + db_path_ + ": " + sqlite3_errmsg(db_.get()));
    Close();
    return error;
  }
  in_snapshot_ = true;
  snapshot_started_ = now;
  lookups_in_snapshot_ = 0;
  return Status::Ok();
}

Registration SqliteTokenRegistry::Check(std::string_view jti, std::string_view user,
                                        std::string_view device) {
  Registration result;
  if (Status snapshot = EnsureSnapshot(); !snapshot.ok()) {
    result.detail = snapshot.message();
    return result;
  }
  bool shared = lookups_in_snapshot_++ > 0;
  result = Lookup(jti, user, device);
  if (result.status != RegistrationStatus::kActive &&
      result.status != RegistrationStatus::kUnavailable && shared && in_snapshot_) {
    // Read again from the latest state: the answer may predate a change made
    // since the snapshot began (a device provisioned a moment ago).
    EndSnapshot();
    if (Status snapshot = EnsureSnapshot(); !snapshot.ok()) {
      result.detail = snapshot.message();  // the refusal read before stands
      return result;
    }
    lookups_in_snapshot_ = 1;
    result = Lookup(jti, user, device);
  }
  return result;
}

Registration SqliteTokenRegistry::Lookup(std::string_view jti, std::string_view user,
                                         std::string_view device) {
  Registration result;
  sqlite3_stmt* stmt = lookup_.get();
  sqlite3_bind_text(stmt, 1, jti.data(), static_cast<int>(jti.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(stmt, 2, user.data(), static_cast<int>(user.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(stmt, 3, device.data(), static_cast<int>(device.size()), SQLITE_TRANSIENT);
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    result.status =
        RegistrationFromRow(sqlite3_column_int(stmt, 0) != 0, sqlite3_column_int(stmt, 1) != 0,
                            sqlite3_column_int(stmt, 2) != 0, sqlite3_column_int(stmt, 3) != 0);
  } else if (rc == SQLITE_DONE) {
    result.status = RegistrationStatus::kUnknownToken;
  } else {
    result.detail = "cannot query " + db_path_ + ": " + sqlite3_errmsg(db_.get());
  }
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  // After an engine error start afresh next time (the file may have been replaced).
  if (result.status == RegistrationStatus::kUnavailable) Close();
  return result;
}

}  // namespace chat::plugin
