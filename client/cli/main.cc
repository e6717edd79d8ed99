// chat-cli: talk to the chat backend from a shell (docs/PROTOCOL.md).
#include <iostream>

#include "cli_options.h"

namespace {

constexpr const char* kFooter = R"(
Exit codes:
  0  success (send: accepted; create/group: conv reply; history, read, sync,
     block, unblock, blocks, mute, unmute, settings, presence, push: their reply;
     listen/chat: finished)
  1  usage error (bad options or ids) or an unexpected failure
  2  the backend replied with an error (printed as JSON on stdout)
  3  no reply within --timeout-s
  4  cannot connect: refused (CONNACK code and meaning on stderr) or unreachable
  5  the connection was lost after connecting (and not back in time)

Reliability: the library behind every subcommand reconnects with backoff,
keeps unsent messages in an outbox (--state FILE makes it survive the
process) and resends them with the same cmid, shows each message once and in
seq order, and fills gaps with sync.

Environment: CHAT_HOST, CHAT_PORT, CHAT_USER, CHAT_DEVICE, CHAT_TOKEN,
CHAT_TOKEN_FILE, CHAT_STATE stand in for the options of the same name.

Examples:
  chat-cli --user alice --device laptop --token-file ~/.chat/token send --to bob hi Bob
  chat-cli --user alice --device laptop --token-file t send --conv c0123 --cmid m-1 again
  chat-cli --user bob --device phone --token-file t listen --count 1 --for-s 30
  chat-cli --user alice --device laptop --token-file t create --with bob
  chat-cli --user alice --device laptop --token-file t --state alice.db chat --to bob
  chat-cli --user bob --device phone --token-file t --state bob.db sync
  chat-cli --user bob --device phone --token-file t history --conv c0123 --before 40
  chat-cli --user bob --device phone --token-file t read --conv c0123 --seq 42
  chat-cli --user alice --device laptop --token-file t group create --title Climbing --members bob,carol
  chat-cli --user alice --device laptop --token-file t group add --conv c7a01 --users dave
  chat-cli --user bob --device phone --token-file t block --user mallory
  chat-cli --user bob --device phone --token-file t mute --conv c7a01 --for-s 3600
  chat-cli --user bob --device phone --token-file t settings --presence contacts --read-receipts off --push-preview sender
  chat-cli --user alice --device laptop --token-file t presence --users bob,carol
  chat-cli --user alice --device phone --token-file t push register --platform apns --app com.example.chat --token <hex>
  chat-cli --user alice --device phone --token-file t push unregister
  chat-cli --user alice --device laptop --token-file t listen --watch bob,carol
  chat-cli send --help        (options of one subcommand)
)";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "chat-cli: send, receive and chat over the MQTT chat backend.\n"
      "Connects as USER:DEVICE (MQTT 3.1.1, QoS 1) and speaks the JSON protocol of "
      "docs/PROTOCOL.md.",
      "chat-cli"};
  app.footer(kFooter);
  app.require_subcommand(1);
  chat::cli::GlobalOptions global;
  chat::cli::Runner run;
  chat::cli::AddGlobalOptions(app, global);
  chat::cli::AddSendCommand(app, global, run);
  chat::cli::AddCreateCommand(app, global, run);
  chat::cli::AddListenCommand(app, global, run);
  chat::cli::AddChatCommand(app, global, run);
  chat::cli::AddSyncCommand(app, global, run);
  chat::cli::AddHistoryCommand(app, global, run);
  chat::cli::AddReadCommand(app, global, run);
  chat::cli::AddGroupCommand(app, global, run);
  chat::cli::AddPrivacyCommands(app, global, run);
  chat::cli::AddPresenceCommand(app, global, run);
  chat::cli::AddPushCommand(app, global, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? chat::cli::kExitOk : chat::cli::kExitUsage;
  }
  try {
    return run();
  } catch (const std::exception& e) {
    chat::cli::PrintError(std::string("unexpected failure: ") + e.what());
    return chat::cli::kExitUsage;
  }
}
