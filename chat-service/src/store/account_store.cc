// Users, devices and tokens.
#include "store/account_store.h"

#include <optional>

#include "chat/clock.h"
#include "chat/ids.h"
#include "store/access_cut_store.h"
#include "store/push_store.h"

namespace chat {

std::string_view AccountErrorName(AccountError error) {
  switch (error) {
    case AccountError::kNone: return "ok";
    case AccountError::kInvalidId: return "invalid_id";
    case AccountError::kExists: return "exists";
    case AccountError::kNoSuchUser: return "no_such_user";
    case AccountError::kNoSuchDevice: return "no_such_device";
  }
  return "unknown";
}

namespace {
// A check followed by a write must be one write transaction: taken as a
// write from the start, it waits for chatd's batches, where a read that goes
// stale under the check would fail at once with "database is locked". A
// caller that already holds a transaction (bulk provisioning) keeps its own.
std::optional<Transaction> WriteTransactionUnlessOpen(Database& db) {
  if (db.InTransaction()) return std::nullopt;
  return std::optional<Transaction>(std::in_place, db);
}
}  // namespace

AccountStore::AccountStore(Database& db) : db_(db) {}

AccountError AccountStore::AddUser(const std::string& user, const std::string& name) {
  if (!IsValidId(user)) return AccountError::kInvalidId;
  auto stmt = db_.Prepare(
      "INSERT INTO users (id, name, created_ms) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING");
  stmt.Bind(1, user).Bind(2, name).Bind(3, NowMillis());
  stmt.Run();
  return db_.Changes() == 0 ? AccountError::kExists : AccountError::kNone;
}

bool AccountStore::UserExists(const std::string& user) {
  auto stmt = db_.Prepare("SELECT 1 FROM users WHERE id = ?1");
  stmt.Bind(1, user);
  return stmt.Step() == Statement::StepResult::kRow;
}

bool AccountStore::DeviceExists(const std::string& user, const std::string& device) {
  auto stmt = db_.Prepare("SELECT 1 FROM devices WHERE user_id = ?1 AND id = ?2");
  stmt.Bind(1, user).Bind(2, device);
  return stmt.Step() == Statement::StepResult::kRow;
}

std::vector<std::string> AccountStore::ListUsers() {
  std::vector<std::string> users;
  auto stmt = db_.Prepare("SELECT id FROM users ORDER BY id");
  while (stmt.Step() == Statement::StepResult::kRow) users.push_back(stmt.Text(0));
  return users;
}

AccountError AccountStore::AddDevice(const std::string& user, const std::string& device,
                                     const std::string& platform) {
  if (!IsValidId(user) || !IsValidId(device)) return AccountError::kInvalidId;
  auto txn = WriteTransactionUnlessOpen(db_);  // the check and the insert agree
  if (!UserExists(user)) return AccountError::kNoSuchUser;
  auto stmt = db_.Prepare(
      "INSERT INTO devices (user_id, id, platform, created_ms) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT DO NOTHING");
  stmt.Bind(1, user).Bind(2, device).Bind(3, platform).Bind(4, NowMillis());
  stmt.Run();
  if (db_.Changes() == 0) return AccountError::kExists;
  if (txn) txn->Commit();
  return AccountError::kNone;
}

std::vector<DeviceRecord> AccountStore::ListDevices(const std::string& user) {
  std::vector<DeviceRecord> devices;
  auto stmt = db_.Prepare("SELECT id, platform FROM devices WHERE user_id = ?1 ORDER BY id");
  stmt.Bind(1, user);
  while (stmt.Step() == Statement::StepResult::kRow) {
    devices.push_back({user, stmt.Text(0), stmt.Text(1)});
  }
  return devices;
}

IssuedToken AccountStore::IssueToken(const std::string& user, const std::string& device,
                                     int64_t ttl_s, const TokenSigner& signer, int64_t now_s) {
  IssuedToken issued;
  if (!IsValidId(user) || !IsValidId(device)) {
    issued.error = AccountError::kInvalidId;
    return issued;
  }
  auto txn = WriteTransactionUnlessOpen(db_);
  if (!DeviceExists(user, device)) {
    issued.error = UserExists(user) ? AccountError::kNoSuchDevice : AccountError::kNoSuchUser;
    return issued;
  }
  issued.record = {NewTokenId(), user, device, now_s, now_s + ttl_s, false};
  auto insert = db_.Prepare(
      "INSERT INTO tokens (jti, user_id, device_id, issued_s, expires_s) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  insert.Bind(1, issued.record.jti)
      .Bind(2, user)
      .Bind(3, device)
      .Bind(4, now_s)
      .Bind(5, now_s + ttl_s);
  insert.Run();
  if (txn) txn->Commit();
  TokenClaims claims{user, device, issued.record.jti, now_s, now_s + ttl_s, false};
  issued.token = signer.Sign(claims);
  return issued;
}

int AccountStore::RevokeToken(const std::string& jti, int64_t now_s) {
  auto txn = WriteTransactionUnlessOpen(db_);
  auto stmt = db_.Prepare(
      "UPDATE tokens SET revoked_s = ?2 WHERE jti = ?1 AND revoked_s IS NULL "
      "RETURNING user_id, device_id");
  stmt.Bind(1, jti).Bind(2, now_s);
  std::optional<std::pair<std::string, std::string>> device;
  if (stmt.Step() == Statement::StepResult::kRow) device = {stmt.Text(0), stmt.Text(1)};
  stmt.Reset();
  // A device whose token is revoked is logged out: no more pushes to it.
  if (device) {
    PushStore(db_).Unregister(device->first, device->second);
    AccessCutStore(db_).Record(device->first, device->second, "revoked", now_s);
  }
  if (txn) txn->Commit();
  return device ? 1 : 0;
}

int AccountStore::RevokeDeviceTokens(const std::string& user, const std::string& device,
                                     int64_t now_s) {
  auto txn = WriteTransactionUnlessOpen(db_);
  auto stmt = db_.Prepare(
      "UPDATE tokens SET revoked_s = ?3 "
      "WHERE user_id = ?1 AND device_id = ?2 AND revoked_s IS NULL");
  stmt.Bind(1, user).Bind(2, device).Bind(3, now_s);
  stmt.Run();
  int revoked = static_cast<int>(db_.Changes());
  PushStore(db_).Unregister(user, device);
  if (revoked > 0) AccessCutStore(db_).Record(user, device, "revoked", now_s);
  if (txn) txn->Commit();
  return revoked;
}

AccountError AccountStore::BanUser(const std::string& user, int64_t now_s) {
  auto txn = WriteTransactionUnlessOpen(db_);
  auto stmt = db_.Prepare("UPDATE users SET disabled = 1 WHERE id = ?1");
  stmt.Bind(1, user);
  stmt.Run();
  if (db_.Changes() == 0) return AccountError::kNoSuchUser;
  AccessCutStore(db_).Record(user, "", "banned", now_s);
  if (txn) txn->Commit();
  return AccountError::kNone;
}

AccountError AccountStore::UnbanUser(const std::string& user) {
  auto stmt = db_.Prepare("UPDATE users SET disabled = 0 WHERE id = ?1");
  stmt.Bind(1, user);
  stmt.Run();
  return db_.Changes() == 0 ? AccountError::kNoSuchUser : AccountError::kNone;
}

AccountError AccountStore::KickDevice(const std::string& user, const std::string& device,
                                      int64_t now_s) {
  auto txn = WriteTransactionUnlessOpen(db_);
  if (!DeviceExists(user, device)) {
    return UserExists(user) ? AccountError::kNoSuchDevice : AccountError::kNoSuchUser;
  }
  AccessCutStore(db_).Record(user, device, "kicked", now_s);
  if (txn) txn->Commit();
  return AccountError::kNone;
}

bool AccountStore::IsBanned(const std::string& user) {
  auto stmt = db_.Prepare("SELECT disabled FROM users WHERE id = ?1");
  stmt.Bind(1, user);
  return stmt.Step() == Statement::StepResult::kRow && stmt.Int(0) != 0;
}

std::vector<TokenRecord> AccountStore::ListTokens(const std::string& user) {
  std::vector<TokenRecord> tokens;
  auto stmt = db_.Prepare(
      "SELECT jti, device_id, issued_s, expires_s, revoked_s IS NOT NULL FROM tokens "
      "WHERE user_id = ?1 ORDER BY issued_s, jti");
  stmt.Bind(1, user);
  while (stmt.Step() == Statement::StepResult::kRow) {
    tokens.push_back(
        {stmt.Text(0), user, stmt.Text(1), stmt.Int(2), stmt.Int(3), stmt.Int(4) != 0});
  }
  return tokens;
}

}  // namespace chat
