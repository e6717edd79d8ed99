// chat-cli block/unblock/blocks, mute/unmute and settings: the privacy
// commands (PROTOCOL.md "Privacy"), each answered by the resulting state
// (`blocks`, `mute` or `settings`), printed as one JSON line.
#include <memory>
#include <string_view>

#include "chat/clock.h"
#include "cli_options.h"

namespace chat::cli {
namespace {

struct PrivacyOptions {
  std::string user;
  std::string conv;
  int64_t until_ms = 0;
  double for_s = 0;
  std::string presence;
  std::string read_receipts;  // "on", "off" or empty: unchanged
  std::string push_preview;   // empty: unchanged
};

enum class PrivacyAction { kBlock, kUnblock, kBlocks, kMute, kUnmute, kSettings };

client::RequestResult Publish(client::ChatClient& chat, PrivacyAction action,
                              const PrivacyOptions& o) {
  switch (action) {
    case PrivacyAction::kBlock: return chat.Block(o.user);
    case PrivacyAction::kUnblock: return chat.Unblock(o.user);
    case PrivacyAction::kBlocks: return chat.Blocks();
    case PrivacyAction::kMute: {
      int64_t until = o.for_s > 0 ? NowMillis() + static_cast<int64_t>(o.for_s * 1000) : o.until_ms;
      return chat.Mute(o.conv, until);
    }
    case PrivacyAction::kUnmute: return chat.Unmute(o.conv);
    case PrivacyAction::kSettings: {
      // Without a change, this reads the settings.
      if (o.presence.empty() && o.read_receipts.empty() && o.push_preview.empty()) {
        return chat.GetSettings();
      }
      client::SettingsChange change;
      if (!o.presence.empty()) change.presence = o.presence;
      if (!o.read_receipts.empty()) change.read_receipts = o.read_receipts == "on";
      if (!o.push_preview.empty()) change.push_preview = o.push_preview;
      return chat.SetSettings(change);
    }
  }
  return {};
}

std::string_view ExpectedReply(PrivacyAction action) {
  switch (action) {
    case PrivacyAction::kMute:
    case PrivacyAction::kUnmute: return client::event_type::kMute;
    case PrivacyAction::kSettings: return client::event_type::kSettings;
    default: return client::event_type::kBlocks;
  }
}

int RunPrivacy(const GlobalOptions& global, PrivacyAction action, const PrivacyOptions& options) {
  return RunRequest(
      global, [&](client::ChatClient& chat) { return Publish(chat, action, options); },
      ExpectedReply(action));
}

CLI::App* AddAction(CLI::App& app, const char* name, const char* help, PrivacyAction action,
                    const GlobalOptions& global, Runner& run,
                    const std::shared_ptr<PrivacyOptions>& options, const char* example) {
  CLI::App* sub = app.add_subcommand(name, help);
  sub->footer(std::string("\nExit codes as for send.\n\nExample:\n  ") + example + "\n");
  sub->callback([options, action, &global, &run] {
    run = [options, action, &global] { return RunPrivacy(global, action, *options); };
  });
  return sub;
}

void AddUserOption(CLI::App* sub, PrivacyOptions& options) {
  sub->add_option("--user", options.user, "The other user's id")
      ->required()
      ->check(UserIdValidator());
}

void AddConvOption(CLI::App* sub, PrivacyOptions& options) {
  sub->add_option("--conv", options.conv, "Conversation id")->required()->check(UserIdValidator());
}

}  // namespace

void AddPrivacyCommands(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto options = std::make_shared<PrivacyOptions>();
  AddUserOption(
      AddAction(app, "block",
                "Block a user: neither of you can write to the other in your direct conversation, "
                "and they cannot add you to groups. Prints every user you block (`blocks`).",
                PrivacyAction::kBlock, global, run, options,
                "chat-cli --user alice --device laptop --token-file t block --user mallory"),
      *options);
  AddUserOption(AddAction(app, "unblock", "Unblock a user. Prints every user you still block.",
                          PrivacyAction::kUnblock, global, run, options,
                          "chat-cli --user alice --device laptop --token-file t unblock --user "
                          "mallory"),
                *options);
  AddAction(app, "blocks", "Print every user you block (`blocks`).", PrivacyAction::kBlocks, global,
            run, options, "chat-cli --user alice --device laptop --token-file t blocks");

  CLI::App* mute = AddAction(
      app, "mute",
      "Mute a conversation: messages still arrive and count as unread, but push sends no alert. "
      "Until unmuted, or until --until-ms / for --for-s. Prints the `mute` reply.",
      PrivacyAction::kMute, global, run, options,
      "chat-cli --user alice --device laptop --token-file t mute --conv c0123 --for-s 3600");
  AddConvOption(mute, *options);
  auto* until = mute->add_option("--until-ms", options->until_ms, "Until this Unix time in ms")
                    ->check(CLI::PositiveNumber);
  mute->add_option("--for-s", options->for_s, "For this many seconds from now")
      ->check(CLI::PositiveNumber)
      ->excludes(until);
  AddConvOption(AddAction(app, "unmute", "Unmute a conversation. Prints the `mute` reply.",
                          PrivacyAction::kUnmute, global, run, options,
                          "chat-cli --user alice --device laptop --token-file t unmute --conv "
                          "c0123"),
                *options);

  CLI::App* settings =
      AddAction(app, "settings",
                "Print your privacy settings (`settings`), or change them with --presence, "
                "--read-receipts and --push-preview; a change reaches your other devices too.",
                PrivacyAction::kSettings, global, run, options,
                "chat-cli --user alice --device laptop --token-file t settings --presence contacts "
                "--read-receipts off");
  settings
      ->add_option("--presence", options->presence,
                   "Who sees your online state and last seen: everyone (who shares a "
                   "conversation with you), contacts (your direct chats) or nobody")
      ->check(CLI::IsMember({"everyone", "contacts", "nobody"}));
  settings
      ->add_option("--read-receipts", options->read_receipts,
                   "on, or off: others no longer see how far you have read")
      ->check(CLI::IsMember({"on", "off"}));
  settings
      ->add_option("--push-preview", options->push_preview,
                   "What a push alert on your devices shows: full (sender and text), sender "
                   "(only who wrote) or none (only \"New message\")")
      ->check(CLI::IsMember({"full", "sender", "none"}));
}

}  // namespace chat::cli
