// chat-cli send and create: one command, one awaited reply.
#include <iostream>
#include <memory>
#include <vector>

#include "cli_options.h"

namespace chat::cli {
namespace {

struct SendOptions {
  std::string to;
  std::string conv;
  std::string cmid;
  std::string req_id;
  std::vector<std::string> words;
};

std::string JoinWords(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
}

// Prints the reply and maps it to an exit code; `expected` is the success type.
int ReportReply(const std::optional<client::Event>& reply, std::string_view expected,
                const client::ChatClient& chat, const std::string& what) {
  if (!reply) {
    if (!chat.IsConnected()) {
      PrintError("connection lost while waiting for the reply to " + what);
      return kExitConnectionLost;
    }
    PrintError("no reply to " + what + " within the timeout (--timeout-s)");
    return kExitTimedOut;
  }
  PrintJsonLine(*reply);
  if (reply->Is(expected)) return kExitOk;
  PrintError(client::FormatEventLine(*reply));
  return kExitServerError;
}

int ReportPublishFailure(const client::Status& status) {
  PrintError(status.message());
  return status.code() == client::Status::Code::kInvalidArgument ? kExitUsage : kExitConnectionLost;
}

int RunSend(const GlobalOptions& global, const SendOptions& options) {
  int exit_code = kExitOk;
  auto chat = ConnectClient(global, exit_code);
  if (!chat) return exit_code;
  client::SendRequest request;
  request.to = options.to;
  request.conv = options.conv;
  request.body = JoinWords(options.words);
  if (!options.cmid.empty()) request.cmid = options.cmid;
  if (!options.req_id.empty()) request.req_id = options.req_id;
  client::SendResult sent = chat->Send(std::move(request));
  if (!sent.status.ok()) return ReportPublishFailure(sent.status);
  auto reply = chat->WaitForAcceptance(sent.cmid, global.timeout());
  return ReportReply(reply, client::event_type::kAccepted, *chat, "cmid " + sent.cmid);
}

int RunCreate(const GlobalOptions& global, const std::string& with) {
  int exit_code = kExitOk;
  auto chat = ConnectClient(global, exit_code);
  if (!chat) return exit_code;
  client::RequestResult sent = chat->CreateDirect(with);
  if (!sent.status.ok()) return ReportPublishFailure(sent.status);
  auto reply = chat->WaitForReply(sent.req_id, global.timeout());
  return ReportReply(reply, client::event_type::kConv, *chat, "req_id " + sent.req_id);
}

}  // namespace

void AddSendCommand(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto options = std::make_shared<SendOptions>();
  CLI::App* send = app.add_subcommand(
      "send",
      "Send one message and wait until the backend accepts it. Prints the `accepted` event "
      "(or the `error`) as one JSON line.");
  CLI::Option_group* target = send->add_option_group("target", "Where to send (exactly one)");
  target->add_option("--to", options->to, "Recipient user id (the direct conversation)")
      ->check(UserIdValidator());
  target->add_option("--conv", options->conv, "Conversation id")->check(UserIdValidator());
  target->require_option(1);
  send->add_option("--cmid", options->cmid, "Client message id (default: a fresh UUID)")
      ->check(ClientTokenValidator());
  send->add_option("--req-id", options->req_id, "Request id echoed in the reply")
      ->check(ClientTokenValidator());
  send->add_option("text", options->words, "The message text (words are joined by spaces)")
      ->required();
  send->footer(R"(
Prints the `accepted` event on stdout and exits 0; an `error` is printed on
stdout (and summarized on stderr) with exit 2; no reply within --timeout-s
exits 3; a refused or failed connection exits 4. Resending with the same
--cmid is safe: the backend answers with the original seq and "dup":true.

Examples:
  chat-cli --user alice --device laptop --token-file t send --to bob hi Bob
  chat-cli --user alice --device laptop --token-file t send --conv c0123 --cmid m-1 again
  chat-cli --user alice --device laptop --token-file t send --to bob -- -5 degrees
)");
  send->callback(
      [options, &global, &run] { run = [options, &global] { return RunSend(global, *options); }; });
}

void AddCreateCommand(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto with = std::make_shared<std::string>();
  CLI::App* create = app.add_subcommand(
      "create", "Open the direct conversation with a user (conv.create); prints the `conv` reply.");
  create->add_option("--with", *with, "The other user's id")->required()->check(UserIdValidator());
  create->footer(R"(
There is one direct conversation per pair of users: repeating create returns
it again ("created":false). Exit codes as for send.

Example:
  chat-cli --user alice --device laptop --token-file t create --with bob
)");
  create->callback(
      [with, &global, &run] { run = [with, &global] { return RunCreate(global, *with); }; });
}

}  // namespace chat::cli
