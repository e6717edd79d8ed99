// chat-cli sync: catch up and print the conversation list.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli_options.h"

namespace chat::cli {
namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json ConversationJson(const client::ConversationSummary& c) {
  ordered_json j;
  j["conv"] = c.conv;
  j["kind"] = c.kind;
  if (!c.title.empty()) j["title"] = c.title;
  j["members"] = c.members;
  if (!c.roles.empty()) j["roles"] = c.roles;
  j["last_seq"] = c.last_seq;
  j["read_seq"] = c.read_seq;
  j["unread"] = c.unread;
  j["active"] = c.active;
  return j;
}

void PrintConversations(const std::vector<client::ConversationSummary>& convs) {
  ordered_json j;
  j["type"] = std::string(client::event_type::kSync);
  j["convs"] = ordered_json::array();
  for (const auto& c : convs) j["convs"].push_back(ConversationJson(c));
  std::cout << j.dump(-1, ' ', false, ordered_json::error_handler_t::replace) << '\n' << std::flush;
}

int RunSync(const GlobalOptions& global) {
  int exit_code = kExitOk;
  auto chat = ConnectClient(global, exit_code);
  if (!chat) return exit_code;
  // The library starts a sync round on connect; its end is a local `sync` event.
  auto deadline = std::chrono::steady_clock::now() + global.timeout();
  while (std::chrono::steady_clock::now() < deadline) {
    auto event = chat->NextEvent(std::chrono::milliseconds(100));
    if (!event) continue;
    if (event->raw.empty() && event->Is(client::event_type::kSync)) {
      PrintConversations(event->convs);
      return kExitOk;
    }
    PrintEvent(*event);
    if (event->Is(client::event_type::kSyncFailed)) return kExitServerError;
  }
  PrintError("sync did not finish within the timeout (--timeout-s)");
  return chat->IsConnected() ? kExitTimedOut : kExitConnectionLost;
}

}  // namespace

void AddSyncCommand(CLI::App& app, const GlobalOptions& global, Runner& run) {
  CLI::App* sync = app.add_subcommand(
      "sync",
      "Catch up: print every message missed since the last run (as JSON lines, in seq order per "
      "conversation, none twice), then the conversation list with unread counts as one line "
      "{\"type\":\"sync\",\"convs\":[...]}.");
  sync->footer(R"(
Without --state this device knows no position, so every visible message of
every conversation is printed. With --state FILE the position in each
conversation is saved after printing, and the next sync prints only what is
new. Pages of the server are fetched until none is left. Exits 0 when done,
2 if the server refused the sync, 3 on timeout.

Examples:
  chat-cli --user bob --device phone --token-file t --state bob-phone.db sync
  chat-cli --user bob --device phone --token-file t sync | tail -1 | jq '.convs[] | {conv, unread}'
)");
  sync->callback([&global, &run] { run = [&global] { return RunSync(global); }; });
}

}  // namespace chat::cli
