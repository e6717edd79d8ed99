// Users, devices and access tokens: what operators manage with chatctl and
// what chatd consults to validate recipients.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "chat/database.h"
#include "chat/token.h"

namespace chat {

struct DeviceRecord {
  std::string user;
  std::string device;
  std::string platform;
};

struct TokenRecord {
  std::string jti;
  std::string user;
  std::string device;
  int64_t issued_s = 0;
  int64_t expires_s = 0;
  bool revoked = false;
};

// Expected failures are values; engine failures throw StoreFailure.
enum class AccountError { kNone, kInvalidId, kExists, kNoSuchUser, kNoSuchDevice };
std::string_view AccountErrorName(AccountError error);

struct IssuedToken {
  AccountError error = AccountError::kNone;
  std::string token;  // the signed JWT, when error == kNone
  TokenRecord record;
};

class AccountStore {
 public:
  explicit AccountStore(Database& db);

  AccountError AddUser(const std::string& user, const std::string& name);
  bool UserExists(const std::string& user);
  bool DeviceExists(const std::string& user, const std::string& device);
  std::vector<std::string> ListUsers();

  AccountError AddDevice(const std::string& user, const std::string& device,
                         const std::string& platform);
  std::vector<DeviceRecord> ListDevices(const std::string& user);

  // Registers a new token for an existing device and signs it.
  IssuedToken IssueToken(const std::string& user, const std::string& device, int64_t ttl_s,
                         const TokenSigner& signer, int64_t now_s);
  // Return how many tokens were revoked (0 if unknown or already revoked).
  // A device whose token is revoked is logged out: its push token goes too,
  // and its open connection is cut (store/access_cut_store.h).
  int RevokeToken(const std::string& jti, int64_t now_s);
  int RevokeDeviceTokens(const std::string& user, const std::string& device, int64_t now_s);
  std::vector<TokenRecord> ListTokens(const std::string& user);

  // A banned user's devices cannot connect (the token check refuses a
  // disabled user) and their open connections are cut; nothing else
  // changes, so an unban gives everything back. kNoSuchUser if unknown.
  AccountError BanUser(const std::string& user, int64_t now_s);
  AccountError UnbanUser(const std::string& user);
  bool IsBanned(const std::string& user);
  // Has the device's open connection cut on every node (chatd's access
  // watcher) without taking its access: it may connect again at once.
  AccountError KickDevice(const std::string& user, const std::string& device, int64_t now_s);

 private:
  Database& db_;
};

}  // namespace chat
