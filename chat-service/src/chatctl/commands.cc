// chatctl actions on the database and the key file.
#include "chatctl/commands.h"

#include <sys/stat.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "chat/clock.h"
#include "chat/key_file.h"
#include "chat/store_target.h"
#include "store/account_store.h"
#include "store/migrator.h"

namespace chat::ctl {

namespace {

Database OpenMigrated(const Target& target) {
  auto db = OpenStore(target.db_path);
  ApplyMigrations(db);
  return db;
}

int Refused(AccountError error, const std::string& what) {
  std::cerr << "chatctl: " << what << ": " << AccountErrorName(error) << "\n";
  return 1;
}

}  // namespace

std::optional<int64_t> ParseDuration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  int64_t unit = 1;
  std::string digits = text;
  switch (text.back()) {
    case 'd':
      unit = 86400;
      digits.pop_back();
      break;
    case 'h':
      unit = 3600;
      digits.pop_back();
      break;
    case 'm':
      unit = 60;
      digits.pop_back();
      break;
    case 's': digits.pop_back(); break;
    default: break;
  }
  int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value <= 0 ||
      value > (int64_t{10} * 365 * 86400) / unit) {
    return std::nullopt;
  }
  return value * unit;
}

int Keygen(const std::string& out_path) {
  struct stat existing;
  if (stat(out_path.c_str(), &existing) == 0) {
    std::cerr << "chatctl: " << out_path << " exists; refusing to overwrite a signing key "
              << "(every token signed with it would stop working)\n";
    return 1;
  }
  std::ofstream out(out_path);
  if (!out) {
    std::cerr << "chatctl: cannot write " << out_path << "\n";
    return 2;
  }
  out << GenerateKeyText();
  out.close();
  chmod(out_path.c_str(), 0600);
  std::cerr << "chatctl: wrote a new signing key to " << out_path << " (mode 0600)\n";
  return 0;
}

int Init(const Target& target) {
  auto db = OpenStore(target.db_path);
  auto report = ApplyMigrations(db);
  std::cout << "database " << StoreName(target.db_path) << " at schema version "
            << report.to_version
            << (report.from_version == report.to_version ? " (unchanged)" : " (migrated)") << "\n";
  return 0;
}

int AddUser(const Target& target, const std::string& user, const std::string& name) {
  auto db = OpenMigrated(target);
  auto error = AccountStore(db).AddUser(user, name);
  if (error != AccountError::kNone) return Refused(error, "user " + user);
  std::cout << "added user " << user << "\n";
  return 0;
}

int ListUsers(const Target& target) {
  auto db = OpenMigrated(target);
  for (const auto& user : AccountStore(db).ListUsers()) std::cout << user << "\n";
  return 0;
}

int SetBanned(const Target& target, const std::string& user, bool banned) {
  auto db = OpenMigrated(target);
  AccountStore accounts(db);
  auto error = banned ? accounts.BanUser(user, NowSeconds()) : accounts.UnbanUser(user);
  if (error != AccountError::kNone) return Refused(error, "user " + user);
  std::cout << (banned ? "banned " : "unbanned ") << user
            << (banned ? ": their devices are refused and disconnected (chatd, within ~1 s)\n"
                       : ": their devices may connect again\n");
  return 0;
}

int KickDevice(const Target& target, const std::string& user, const std::string& device) {
  auto db = OpenMigrated(target);
  auto error = AccountStore(db).KickDevice(user, device, NowSeconds());
  if (error != AccountError::kNone) return Refused(error, "device " + user + "/" + device);
  std::cout << "kicked " << user << "/" << device
            << ": disconnected on every broker node (chatd, within ~1 s); it may reconnect\n";
  return 0;
}

int AddDevice(const Target& target, const std::string& user, const std::string& device,
              const std::string& platform) {
  auto db = OpenMigrated(target);
  auto error = AccountStore(db).AddDevice(user, device, platform);
  if (error != AccountError::kNone) return Refused(error, "device " + user + "/" + device);
  std::cout << "added device " << user << "/" << device << "\n";
  return 0;
}

int ListDevices(const Target& target, const std::string& user) {
  auto db = OpenMigrated(target);
  for (const auto& d : AccountStore(db).ListDevices(user)) {
    std::cout << d.device << "\t" << (d.platform.empty() ? "-" : d.platform) << "\n";
  }
  return 0;
}

int IssueToken(const Target& target, const std::string& user, const std::string& device,
               const std::string& ttl) {
  auto ttl_s = ParseDuration(ttl);
  if (!ttl_s) {
    std::cerr << "chatctl: --ttl '" << ttl << "' is not a duration like 30d, 12h, 15m or 90s\n";
    return 2;
  }
  auto key = LoadKeyFile(target.key_path);
  if (!key.ok()) {
    std::cerr << "chatctl: " << key.status().message() << "\n";
    return 2;
  }
  auto db = OpenMigrated(target);
  auto issued = AccountStore(db).IssueToken(user, device, *ttl_s, TokenSigner(*key), NowSeconds());
  if (issued.error != AccountError::kNone)
    return Refused(issued.error, "device " + user + "/" + device);
  std::cout << issued.token << "\n";
  std::cerr << "chatctl: issued token " << issued.record.jti << " for " << user << "/" << device
            << ", expires in " << *ttl_s << " s\n";
  return 0;
}

int RevokeToken(const Target& target, const std::string& jti) {
  auto db = OpenMigrated(target);
  int count = AccountStore(db).RevokeToken(jti, NowSeconds());
  std::cout << "revoked " << count << " token(s)\n";
  return count > 0 ? 0 : 1;
}

int RevokeDeviceTokens(const Target& target, const std::string& user, const std::string& device) {
  auto db = OpenMigrated(target);
  int count = AccountStore(db).RevokeDeviceTokens(user, device, NowSeconds());
  std::cout << "revoked " << count << " token(s) of " << user << "/" << device << "\n";
  return 0;
}

int ListTokens(const Target& target, const std::string& user) {
  auto db = OpenMigrated(target);
  int64_t now = NowSeconds();
  for (const auto& t : AccountStore(db).ListTokens(user)) {
    const char* state = t.revoked ? "revoked" : (t.expires_s <= now ? "expired" : "valid");
    std::cout << t.jti << "\t" << t.device << "\t" << state << "\texpires " << t.expires_s << "\n";
  }
  return 0;
}

}  // namespace chat::ctl
