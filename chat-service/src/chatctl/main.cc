// chatctl: the operators' command line for users, devices, tokens and keys.
#include <CLI/CLI.hpp>
#include <iostream>

#include "chat/config_file.h"
#include "chat/database.h"
#include "chat/store_target.h"
#include "chatctl/commands.h"
#include "chatd/chatd_config.h"

namespace {

constexpr const char* kFooter = R"(
Where the database and key are: either --config (chatd's config file; its
db_path and key_file are used) or --db and --key. The environment variables
CHAT_CONFIG, CHAT_DB and CHAT_KEY stand in for the flags.

Examples:
  chatctl keygen --out /etc/chat/signing.key
  chatctl --config /etc/chat/chatd.conf init
  chatctl --config /etc/chat/chatd.conf user add alice --name "Alice"
  chatctl --config /etc/chat/chatd.conf device add alice phone --platform ios
  chatctl --config /etc/chat/chatd.conf token issue alice phone --ttl 30d > alice-phone.token
  chatctl --config /etc/chat/chatd.conf token revoke --user alice --device phone
  chatctl --config /etc/chat/chatd.conf user ban mallory
  chatctl --config /etc/chat/chatd.conf device kick alice phone

A revoked token or a banned user is refused at the next connect, and chatd
disconnects the open connections on every broker node within about a second
(a kicked device is only disconnected).

Exit codes: 0 done, 1 refused (exists, unknown user/device, nothing to revoke),
2 usage, config or key error, 3 database failure.
)";

// Fills target from --config, falling back to --db/--key.
chat::Status ResolveTarget(const std::string& config_path, chat::ctl::Target& target) {
  if (config_path.empty()) {
    if (target.db_path.empty()) {
      return chat::Status::InvalidArgument("no database: pass --config FILE or --db PATH");
    }
    return chat::Status::Ok();
  }
  auto config = chat::ConfigFile::Load(config_path, chat::ChatdConfigKeys());
  if (!config.ok()) return config.status();
  if (target.db_path.empty()) {
    auto db = config->RequiredString("db_path");
    if (!db.ok()) return db.status();
    target.db_path = chat::IsPostgresUrl(*db) ? *db : config->ResolvePath(*db);
  }
  if (target.key_path.empty()) {
    if (auto key = config->String("key_file")) target.key_path = config->ResolvePath(*key);
  }
  return chat::Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace chat::ctl;
  CLI::App app{"chatctl - manage the chat backend's users, devices, tokens and keys"};
  app.footer(kFooter);
  app.require_subcommand(1);
  std::string config_path;
  Target target;
  app.add_option("-c,--config", config_path, "chatd's config file")->envname("CHAT_CONFIG");
  app.add_option("--db", target.db_path, "SQLite database file, or postgresql://... URL")
      ->envname("CHAT_DB");
  app.add_option("--key", target.key_path, "signing key file")->envname("CHAT_KEY");

  int rc = 0;
  std::string s1, s2, s3;
  std::string ttl = "30d";

  auto* keygen = app.add_subcommand("keygen", "write a new random signing key (never overwrites)");
  keygen->add_option("--out", s1, "file to create")->required();
  keygen->callback([&] { rc = Keygen(s1); });

  auto* init = app.add_subcommand("init", "create the database or migrate it to this release");
  init->callback([&] { rc = -1; });

  auto* user = app.add_subcommand("user", "users")->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "register a user id ([a-z0-9_-]{1,64})");
  user_add->add_option("id", s1, "user id")->required();
  user_add->add_option("--name", s2, "display name");
  auto* user_list = user->add_subcommand("list", "list user ids");
  auto* user_ban = user->add_subcommand(
      "ban", "refuse the user's devices and disconnect them on every broker node (in ~1 s)");
  user_ban->add_option("id", s1, "user id")->required();
  auto* user_unban = user->add_subcommand("unban", "let the user's devices connect again");
  user_unban->add_option("id", s1, "user id")->required();

  auto* device = app.add_subcommand("device", "devices of a user")->require_subcommand(1);
  auto* device_add = device->add_subcommand("add", "register a device of an existing user");
  auto* device_kick = device->add_subcommand(
      "kick",
      "disconnect the device on every broker node (~1 s); it may reconnect at once: revoke its "
      "token to keep it out");
  device_add->add_option("user", s1, "user id")->required();
  device_add->add_option("device", s2, "device id ([a-z0-9_-]{1,64})")->required();
  device_add->add_option("--platform", s3, "ios, android, web, cli ... (informational)");
  auto* device_list = device->add_subcommand("list", "list the devices of a user");
  device_list->add_option("user", s1, "user id")->required();
  device_kick->add_option("user", s1, "user id")->required();
  device_kick->add_option("device", s2, "device id")->required();

  auto* token = app.add_subcommand("token", "access tokens")->require_subcommand(1);
  auto* token_issue = token->add_subcommand("issue", "issue a token; prints only the token");
  token_issue->add_option("user", s1, "user id")->required();
  token_issue->add_option("device", s2, "device id")->required();
  token_issue->add_option("--ttl", ttl, "lifetime: 30d, 12h, 15m, 90s")->capture_default_str();
  auto* token_revoke = token->add_subcommand(
      "revoke",
      "revoke one token by id, or every token of --user/--device; refused at next connect");
  token_revoke->add_option("jti", s3, "token id (from `token list`)");
  token_revoke->add_option("--user", s1, "user id");
  token_revoke->add_option("--device", s2, "device id");
  auto* token_list = token->add_subcommand("list", "list the tokens of a user");
  token_list->add_option("user", s1, "user id")->required();

  CLI11_PARSE(app, argc, argv);
  if (keygen->parsed()) return rc;

  if (chat::Status resolved = ResolveTarget(config_path, target); !resolved.ok()) {
    std::cerr << "chatctl: " << resolved.message() << "\n";
    return 2;
  }
  try {
    if (init->parsed()) return Init(target);
    if (user_add->parsed()) return AddUser(target, s1, s2);
    if (user_list->parsed()) return ListUsers(target);
    if (user_ban->parsed()) return SetBanned(target, s1, true);
    if (user_unban->parsed()) return SetBanned(target, s1, false);
    if (device_add->parsed()) return AddDevice(target, s1, s2, s3);
    if (device_list->parsed()) return ListDevices(target, s1);
    if (device_kick->parsed()) return KickDevice(target, s1, s2);
    if (token_issue->parsed()) return IssueToken(target, s1, s2, ttl);
    if (token_list->parsed()) return ListTokens(target, s1);
    if (token_revoke->parsed()) {
      if (!s3.empty() && s1.empty() && s2.empty()) return RevokeToken(target, s3);
      if (s3.empty() && !s1.empty() && !s2.empty()) return RevokeDeviceTokens(target, s1, s2);
      std::cerr << "chatctl: token revoke takes a token id, or both --user and --device\n";
      return 2;
    }
  } catch (const chat::StoreFailure& e) {
    std::cerr << "chatctl: " << e.what() << "\n";
    return 3;
  }
  return 0;
}
