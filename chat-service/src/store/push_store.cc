// Push tokens and push jobs in SQLite (schema/006_push.sql).
#include "store/push_store.h"

#include "chat/store_failure.h"
#include "store/key_lookup.h"

namespace chat {

namespace {
using Step = Statement::StepResult;

constexpr std::pair<PushKind, std::string_view> kKindNames[] = {
    {PushKind::kAlert, "alert"},
    {PushKind::kBadge, "badge"},
    {PushKind::kClear, "clear"},
};

PushKind ParseKind(std::string_view name) {
  for (const auto& [kind, known] : kKindNames) {
    if (known == name) return kind;
  }
  throw StoreFailure("push job of unknown kind '" + std::string(name) + "'");
}

constexpr std::string_view kJobColumns =
    "id, user_id, device_id, kind, conv_id, seq, created_ms, due_ms, attempts";

constexpr const char* kInsertJob =
    "INSERT INTO push_jobs (user_id, device_id, kind, conv_id, seq, created_ms, due_ms, "
    "attempts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

void BindJob(Statement& stmt, const PushJob& job) {
  stmt.Bind(1, job.user)
      .Bind(2, job.device)
      .Bind(3, PushKindName(job.kind))
      .Bind(4, job.conv)
      .Bind(5, job.seq)
      .Bind(6, job.created_ms)
      .Bind(7, job.due_ms ? job.due_ms : job.created_ms)
      .Bind(8, job.attempts);
}

PushJob ReadJob(Statement& stmt) {
  return {stmt.Int(0),  stmt.Text(1), stmt.Text(2), ParseKind(stmt.Text(3)),
          stmt.Text(4), stmt.Int(5),  stmt.Int(6),  stmt.Int(7),
          stmt.Int(8)};
}
}  // namespace

std::string_view PushKindName(PushKind kind) {
  for (const auto& [known, name] : kKindNames) {
    if (known == kind) return name;
  }
  return "alert";
}

PushStore::PushStore(Database& db) : db_(db) {}

void PushStore::Register(const PushRegistration& r, int64_t now_ms) {
  ForgetPrefetched();
  // The token's earlier owner (another device) loses it, and its jobs.
  std::optional<std::pair<std::string, std::string>> owner;
  {
    auto previous = db_.Cached(
        "SELECT user_id, device_id FROM push_tokens WHERE platform = ?1 AND token = ?2 "
        "AND NOT (user_id = ?3 AND device_id = ?4)");
    previous->Bind(1, r.platform).Bind(2, r.token).Bind(3, r.user).Bind(4, r.device);
    if (previous->Step() == Step::kRow) owner = {previous->Text(0), previous->Text(1)};
  }
  if (owner) Unregister(owner->first, owner->second);
  auto stmt = db_.Cached(
      "INSERT INTO push_tokens "
      "(user_id, device_id, platform, app, sandbox, token, updated_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (user_id, device_id) DO UPDATE SET "
      "platform = excluded.platform, app = excluded.app, sandbox = excluded.sandbox, "
      "token = excluded.token, updated_ms = excluded.updated_ms");
  stmt->Bind(1, r.user)
      .Bind(2, r.device)
      .Bind(3, r.platform)
      .Bind(4, r.app)
      .Bind(5, int64_t{r.sandbox ? 1 : 0})
      .Bind(6, r.token)
      .Bind(7, now_ms);
  if (stmt->Run() == Step::kConstraint) {
    throw StoreFailure("push token of " + r.user + "/" + r.device + " violates a constraint");
  }
}

bool PushStore::Unregister(const std::string& user, const std::string& device) {
  ForgetPrefetched();
  auto jobs = db_.Cached("DELETE FROM push_jobs WHERE user_id = ?1 AND device_id = ?2");
  jobs->Bind(1, user).Bind(2, device);
  jobs->Run();
  auto stmt = db_.Cached("DELETE FROM push_tokens WHERE user_id = ?1 AND device_id = ?2");
  stmt->Bind(1, user).Bind(2, device);
  stmt->Run();
  return db_.Changes() > 0;
}

std::optional<PushRegistration> PushStore::RegistrationOf(const std::string& user,
                                                          const std::string& device) {
  auto stmt = db_.Cached(
      "SELECT platform, app, sandbox, token FROM push_tokens "
      "WHERE user_id = ?1 AND device_id = ?2");
  stmt->Bind(1, user).Bind(2, device);
  if (stmt->Step() != Step::kRow) return std::nullopt;
  return PushRegistration{user,         device, stmt->Text(0), stmt->Text(1), stmt->Int(2) != 0,
                          stmt->Text(3)};
}

bool PushStore::RemoveStaleToken(const std::string& user, const std::string& device,
                                 const std::string& token) {
  auto stmt =
      db_.Cached("DELETE FROM push_tokens WHERE user_id = ?1 AND device_id = ?2 AND token = ?3");
  stmt->Bind(1, user).Bind(2, device).Bind(3, token);
  stmt->Run();
  return db_.Changes() > 0;
}

std::vector<PushTarget> PushStore::TargetsOf(const std::string& conv,
                                             const std::string& except_user, int64_t now_ms) {
  if (auto known = targets_.find(conv); known != targets_.end()) {
    std::vector<PushTarget> targets;
    for (const PushTarget& target : known->second) {
      if (target.user != except_user) targets.push_back(target);
    }
    return targets;
  }
  auto stmt = db_.Cached(
      "SELECT t.user_id, t.device_id FROM members m "
      "JOIN push_tokens t ON t.user_id = m.user_id "
      "WHERE m.conv_id = ?1 AND m.removed_seq IS NULL AND m.user_id != ?2 "
      "AND NOT EXISTS (SELECT 1 FROM mutes u WHERE u.user_id = m.user_id AND u.conv_id = ?1 "
      "                AND (u.until_ms = 0 OR u.until_ms > ?3)) "
      "ORDER BY t.user_id, t.device_id");
  stmt->Bind(1, conv).Bind(2, except_user).Bind(3, now_ms);
  std::vector<PushTarget> targets;
  while (stmt->Step() == Step::kRow) targets.push_back({stmt->Text(0), stmt->Text(1)});
  return targets;
}

std::vector<std::string> PushStore::DevicesWithTokens(const std::string& user,
                                                      const std::string& except_device) {
  auto stmt = db_.Cached(
      "SELECT device_id FROM push_tokens WHERE user_id = ?1 AND device_id != ?2 "
      "ORDER BY device_id");
  stmt->Bind(1, user).Bind(2, except_device);
  std::vector<std::string> devices;
  while (stmt->Step() == Step::kRow) devices.push_back(stmt->Text(0));
  return devices;
}

void PushStore::AddJob(PushJob& job) {
  auto stmt = db_.Cached(std::string(kInsertJob) + " RETURNING id");
  BindJob(*stmt, job);
  if (stmt->Step() != Step::kRow) throw StoreFailure("push job for " + job.user + " not stored");
  job.id = stmt->Int(0);
}

void PushStore::AddJobDeferred(const PushJob& job) {
  auto stmt = db_.Cached(kInsertJob);
  BindJob(*stmt, job);
  stmt->RunDeferred();
}

void PushStore::PrefetchTargets(const std::vector<std::string>& convs, int64_t now_ms) {
  std::vector<Key> keys;
  for (const std::string& conv : convs) {
    keys.push_back({conv, std::to_string(now_ms)});
    targets_.try_emplace(conv);
  }
  // The time travels as a key column: keys are text.
  LookUpKeys(
      db_, "conv, now_ms", std::move(keys),
      "SELECT m.conv_id, t.user_id, t.device_id FROM keys k "
      "JOIN members m ON m.conv_id = k.conv AND m.removed_seq IS NULL "
      "JOIN push_tokens t ON t.user_id = m.user_id "
      "WHERE NOT EXISTS (SELECT 1 FROM mutes u WHERE u.user_id = m.user_id "
      "AND u.conv_id = k.conv AND (u.until_ms = 0 OR u.until_ms > CAST(k.now_ms AS BIGINT))) "
      "ORDER BY m.conv_id, t.user_id, t.device_id",
      [&](Statement& row) {
        targets_[row.Text(0)].push_back({row.Text(1), row.Text(2)});
      });
}

void PushStore::ForgetPrefetched() { targets_.clear(); }

std::vector<PushJob> PushStore::DueJobs(int64_t now_ms, int64_t limit) {
  auto stmt = db_.Cached("SELECT " + std::string(kJobColumns) +
                         " FROM push_jobs WHERE due_ms <= ?1 ORDER BY due_ms, id LIMIT ?2");
  stmt->Bind(1, now_ms).Bind(2, limit);
  std::vector<PushJob> jobs;
  while (stmt->Step() == Step::kRow) jobs.push_back(ReadJob(*stmt));
  return jobs;
}

std::vector<PushJob> PushStore::JobsOf(const std::string& user, const std::string& device) {
  auto stmt = db_.Cached("SELECT " + std::string(kJobColumns) +
                         " FROM push_jobs WHERE user_id = ?1 AND device_id = ?2 ORDER BY id");
  stmt->Bind(1, user).Bind(2, device);
  std::vector<PushJob> jobs;
  while (stmt->Step() == Step::kRow) jobs.push_back(ReadJob(*stmt));
  return jobs;
}

void PushStore::DeleteJob(int64_t id) {
  auto stmt = db_.Cached("DELETE FROM push_jobs WHERE id = ?1");
  stmt->Bind(1, id);
  stmt->Run();
}

void PushStore::Reschedule(int64_t id, int64_t due_ms, int64_t attempts) {
  auto stmt = db_.Cached("UPDATE push_jobs SET due_ms = ?2, attempts = ?3 WHERE id = ?1");
  stmt->Bind(1, id).Bind(2, due_ms).Bind(3, attempts);
  stmt->Run();
}

int64_t PushStore::QueueDepth() {
  auto stmt = db_.Cached("SELECT count(*) FROM push_jobs");
  stmt->Step();
  return stmt->Int(0);
}

}  // namespace chat
