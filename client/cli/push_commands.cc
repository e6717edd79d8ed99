// chat-cli push register/unregister: this device's push token (PROTOCOL.md
// "Push"), each answered by a `push` event printed as one JSON line.
#include <memory>

#include "chat/ids.h"
#include "cli_options.h"

namespace chat::cli {
namespace {

CLI::Validator PushAppValidator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        return IsValidPushApp(value) ? "" : "'" + value + "' does not match [A-Za-z0-9._-]{1,255}";
      },
      "APP");
}

}  // namespace

void AddPushCommand(CLI::App& app, const GlobalOptions& global, Runner& run) {
  CLI::App* push = app.add_subcommand(
      "push",
      "Register this device for push notifications, or unregister it. While the device is not "
      "connected, a message for you then comes as an alert (or a badge update while you are "
      "active on another device) through APNs or FCM. Prints the `push` reply as one JSON line.");
  push->require_subcommand(1);
  push->footer(R"(
One token per device: registering again replaces it, and a token registered
by another device moves to this one. What an alert shows is a setting of
the user: `chat-cli settings --push-preview full|sender|none`.
Exit codes as for send; a token in the wrong format exits 1 before sending.

Examples:
  chat-cli --user alice --device phone --token-file t push register --platform apns --app com.example.chat --token 7f3a...(64 hex digits)
  chat-cli --user alice --device pixel --token-file t push register --platform fcm --app com.example.chat --token dXk3:APA91b...
  chat-cli --user alice --device phone --token-file t push unregister
)");

  auto registration = std::make_shared<client::PushRegistration>();
  CLI::App* reg = push->add_subcommand(
      "register",
      "Give the backend this device's push token; prints {\"type\":\"push\",\"registered\":true,"
      "\"platform\":...,\"app\":...,\"sandbox\":...}.");
  reg->add_option("--platform", registration->platform, "apns (iOS) or fcm (Android)")
      ->required()
      ->check(CLI::IsMember({"apns", "fcm"}));
  reg->add_option("--app", registration->app,
                  "The app's bundle id (APNs) or package name (FCM), e.g. com.example.chat")
      ->required()
      ->check(PushAppValidator());
  // Named as the protocol names it; the access token is the global --token,
  // given before the subcommand.
  reg->add_option("--token", registration->token,
                  "The push token the platform gave the app (not your access token): APNs, the "
                  "device token in hex (64..200 digits); FCM, the registration token")
      ->required();
  reg->add_flag("--sandbox", registration->sandbox,
                "APNs only: the development environment (an app built by Xcode for debugging)");
  reg->callback([registration, &global, &run] {
    run = [registration, &global] {
      return RunRequest(
          global, [&](client::ChatClient& chat) { return chat.RegisterPush(*registration); },
          client::event_type::kPush);
    };
  });

  CLI::App* unreg = push->add_subcommand(
      "unregister",
      "Remove this device's push token (e.g. on logout): no more pushes reach it. Prints "
      "{\"type\":\"push\",\"registered\":false}.");
  unreg->callback([&global, &run] {
    run = [&global] {
      return RunRequest(
          global, [](client::ChatClient& chat) { return chat.UnregisterPush(); },
          client::event_type::kPush);
    };
  });
}

}  // namespace chat::cli
