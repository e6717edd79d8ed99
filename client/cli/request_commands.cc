// chat-cli send, create, history and read: one command, one awaited reply.
#include <algorithm>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "chat/protocol.h"
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

struct HistoryOptions {
  std::string conv;
  int64_t before = 0;
  int limit = 0;
};

struct ReadOptions {
  std::string conv;
  int64_t seq = 0;
};

std::string JoinWords(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
}

int RunSend(const GlobalOptions& global, const SendOptions& options) {
  int exit_code = kExitOk;
  auto chat = ConnectClient(global, exit_code);
  if (!chat) return exit_code;
  auto deadline = std::chrono::steady_clock::now() + global.timeout();
  client::SendRequest request;
  request.to = options.to;
  request.conv = options.conv;
  request.body = JoinWords(options.words);
  if (!options.cmid.empty()) request.cmid = options.cmid;
  if (!options.req_id.empty()) request.req_id = options.req_id;
  client::SendResult sent = chat->Send(std::move(request));
  if (!sent.status.ok()) return ReportPublishFailure(sent.status);
  auto reply = chat->WaitForAcceptance(sent.cmid, global.timeout());
  exit_code = ReportReply(reply, client::event_type::kAccepted, *chat, "cmid " + sent.cmid);
  // Messages left by earlier runs (--state) went out before this one.
  if (std::size_t left = DrainOutbox(*chat, deadline); left > 0) {
    PrintError(std::to_string(left) + " message(s) still waiting for acceptance" +
               (global.state_path.empty()
                    ? " (not kept: without --state nothing resends it)"
                    : "; kept in " + global.state_path + " and resent by the next run"));
  }
  return exit_code;
}

int RunCreate(const GlobalOptions& global, const std::string& with) {
  return RunRequest(
      global, [&](client::ChatClient& chat) { return chat.CreateDirect(with); },
      client::event_type::kConv);
}

int RunHistory(const GlobalOptions& global, const HistoryOptions& options) {
  return RunRequest(
      global,
      [&](client::ChatClient& chat) {
        return chat.History(options.conv, options.before, options.limit);
      },
      client::event_type::kHistory);
}

// `read` has no reply, and the device that moved the cursor gets no
// `receipt` of it (its other devices do). The confirmation printed is the
// `receipts` state of that seq once it lists the user: chatd applies the
// marker on its writer and answers the query from a snapshot, so the query
// is repeated until the marker shows. A refused marker (not_member, ...)
// comes back as an `error` without req_id.
int RunRead(const GlobalOptions& global, const ReadOptions& options) {
  int exit_code = kExitOk;
  auto chat = ConnectClient(global, exit_code);
  if (!chat) return exit_code;
  client::Status marked = chat->MarkRead(options.conv, options.seq);
  if (!marked.ok()) return ReportPublishFailure(marked);
  auto deadline = std::chrono::steady_clock::now() + global.timeout();
  std::optional<client::Event> reply;
  std::string req_id;
  do {
    client::RequestResult sent = chat->Receipts(options.conv, options.seq);
    if (!sent.status.ok()) return ReportPublishFailure(sent.status);
    req_id = sent.req_id;
    reply = chat->WaitForReply(sent.req_id, global.timeout());
    while (auto event = chat->NextEvent(std::chrono::milliseconds(0))) {
      if (event->Is(client::event_type::kError) && event->req_id.empty()) {
        PrintJsonLine(*event);
        PrintError(client::FormatEventLine(*event));
        return kExitServerError;
      }
    }
    bool shows_marker = reply && reply->Is(client::event_type::kReceipts) &&
                        std::ranges::count(reply->read_by, global.user) > 0;
    if (!reply || !reply->Is(client::event_type::kReceipts) || shows_marker) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < deadline);
  return ReportReply(reply, client::event_type::kReceipts, *chat, "req_id " + req_id);
}

}  // namespace

void AddSendCommand(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto options = std::make_shared<SendOptions>();
  CLI::App* send = app.add_subcommand(
      "send",
      "Send one message and wait until the backend accepts it. Prints the `accepted` event "
      "(or the `error`) as one JSON line.");
  AddTargetOptions(*send, options->to, options->conv, "Where to send");
  send->add_option("--cmid", options->cmid, "Client message id (default: a fresh random one)")
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

With --state FILE the message is written to FILE before it is sent. If it
is not accepted in time (exit 3), it stays there and the next chat-cli run
with the same --state resends it (same cmid, so never twice), before its
own message. Without --state nothing resends it after this run ends.

Examples:
  chat-cli --user alice --device laptop --token-file t send --to bob hi Bob
  chat-cli --user alice --device laptop --token-file t send --conv c0123 --cmid m-1 again
  chat-cli --user alice --device laptop --token-file t --state alice.db send --to bob hi
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

void AddHistoryCommand(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto options = std::make_shared<HistoryOptions>();
  CLI::App* history = app.add_subcommand(
      "history",
      "Fetch one page of a conversation's older messages; prints the `history` reply (messages "
      "in ascending seq, \"more\":true when older ones exist) as one JSON line.");
  history->add_option("--conv", options->conv, "Conversation id")
      ->required()
      ->check(UserIdValidator());
  history
      ->add_option("--before", options->before,
                   "Only messages with seq below this (default: up to the newest)")
      ->check(CLI::PositiveNumber);
  history
      ->add_option("--limit", options->limit, "At most this many, the newest (server default 50)")
      ->check(CLI::Range(int64_t{1}, protocol::kMaxHistoryLimit));
  history->footer(R"(
To page backwards, pass the lowest seq of one page as --before of the next.
Exit codes as for send.

Examples:
  chat-cli --user alice --device laptop --token-file t history --conv c0123
  chat-cli --user alice --device laptop --token-file t history --conv c0123 --before 40 --limit 20
)");
  history->callback([options, &global, &run] {
    run = [options, &global] { return RunHistory(global, *options); };
  });
}

void AddReadCommand(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto options = std::make_shared<ReadOptions>();
  CLI::App* read = app.add_subcommand(
      "read",
      "Mark a conversation read up to a seq (moves your read cursor; your other devices and the "
      "senders of what you read get a `receipt`). Prints the `receipts` reply for that seq "
      "once it lists you as a reader.");
  read->add_option("--conv", options->conv, "Conversation id")
      ->required()
      ->check(UserIdValidator());
  read->add_option("--seq", options->seq, "Read up to and including this seq")
      ->required()
      ->check(CLI::PositiveNumber);
  read->footer(R"(
Read cursors only move forward; a seq past the last message is clamped.
Exit codes as for send.

Example:
  chat-cli --user bob --device phone --token-file t read --conv c0123 --seq 42
)");
  read->callback(
      [options, &global, &run] { run = [options, &global] { return RunRead(global, *options); }; });
}

}  // namespace chat::cli
