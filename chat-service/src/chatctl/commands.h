// chatctl's actions, one function per subcommand. Each prints its result to
// stdout, its errors to stderr, and returns the process exit code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace chat::ctl {

// Where the database and key are, from --config or --db/--key.
struct Target {
  std::string db_path;
  std::string key_path;
};

// Exit codes: 0 ok, 1 operation refused (exists, unknown ...), 2 usage or config error.
int Keygen(const std::string& out_path);
int Init(const Target& target);
int AddUser(const Target& target, const std::string& user, const std::string& name);
int ListUsers(const Target& target);
// Bans (`banned`) or unbans the user: a ban refuses their devices' connects
// and has chatd disconnect the connected ones (store/access_cut_store.h).
int SetBanned(const Target& target, const std::string& user, bool banned);
// Has chatd disconnect the device on every broker node; it may come back.
int KickDevice(const Target& target, const std::string& user, const std::string& device);
int AddDevice(const Target& target, const std::string& user, const std::string& device,
              const std::string& platform);
int ListDevices(const Target& target, const std::string& user);
int IssueToken(const Target& target, const std::string& user, const std::string& device,
               const std::string& ttl);
int RevokeToken(const Target& target, const std::string& jti);
int RevokeDeviceTokens(const Target& target, const std::string& user, const std::string& device);
int ListTokens(const Target& target, const std::string& user);

// "30d", "12h", "15m", "90s" or plain seconds; nullopt when malformed.
std::optional<int64_t> ParseDuration(const std::string& text);

}  // namespace chat::ctl
