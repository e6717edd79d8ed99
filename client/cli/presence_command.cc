// chat-cli presence: the presence of people (PROTOCOL.md "Presence of
// people") once, as the `presence` reply to a watch. `listen --watch` keeps
// watching.
#include <memory>

#include "cli_options.h"

namespace chat::cli {

void AddPresenceCommand(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto users = std::make_shared<std::vector<std::string>>();
  CLI::App* presence = app.add_subcommand(
      "presence",
      "Print the presence of some users now (the `presence` reply, one JSON line): online, "
      "away, offline with last_seen (Unix ms), or unknown for anyone who does not share a "
      "conversation with you, hides it, or blocks you, or who does not exist. To follow "
      "changes, use `listen --watch`.");
  presence->add_option("--users", *users, "User ids, comma-separated (at most 256)")
      ->required()
      ->delimiter(',')
      ->check(UserIdValidator());
  presence->footer(R"(
Exit codes as for send.

Example:
  chat-cli --user alice --device laptop --token-file t presence --users bob,carol
)");
  presence->callback([users, &global, &run] {
    run = [users, &global] {
      return RunRequest(
          global, [&](client::ChatClient& chat) { return chat.WatchPresence(*users); },
          client::event_type::kPresence);
    };
  });
}

}  // namespace chat::cli
