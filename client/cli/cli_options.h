// What every chat-cli subcommand shares: global options, exit codes,
// connecting, and output helpers.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "chat/client/chat_client.h"

namespace chat::cli {

// Exit codes, documented in --help.
enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,           // bad options or arguments
  kExitServerError = 2,     // the backend replied with an `error`
  kExitTimedOut = 3,        // no reply within --timeout-s
  kExitConnectFailed = 4,   // refused (CONNACK code shown) or broker unreachable
  kExitConnectionLost = 5,  // the connection dropped after it was made
};

struct GlobalOptions {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string user;
  std::string device;
  std::string token;
  std::string token_file;
  double timeout_s = 10;
  bool clean_session = false;
  std::string state_path;  // --state: outbox and cursors survive between runs

  std::chrono::milliseconds timeout() const {
    return std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  }
};

// A subcommand's body, chosen by parsing; returns the process exit code.
using Runner = std::function<int()>;

void AddGlobalOptions(CLI::App& app, GlobalOptions& global);
void AddSendCommand(CLI::App& app, const GlobalOptions& global, Runner& run);
void AddCreateCommand(CLI::App& app, const GlobalOptions& global, Runner& run);
void AddListenCommand(CLI::App& app, const GlobalOptions& global, Runner& run);
void AddChatCommand(CLI::App& app, const GlobalOptions& global, Runner& run);
void AddSyncCommand(CLI::App& app, const GlobalOptions& global, Runner& run);
void AddHistoryCommand(CLI::App& app, const GlobalOptions& global, Runner& run);
void AddReadCommand(CLI::App& app, const GlobalOptions& global, Runner& run);
void AddGroupCommand(CLI::App& app, const GlobalOptions& global, Runner& run);
// block, unblock, blocks, mute, unmute, settings.
void AddPrivacyCommands(CLI::App& app, const GlobalOptions& global, Runner& run);
void AddPresenceCommand(CLI::App& app, const GlobalOptions& global, Runner& run);
// push register, push unregister.
void AddPushCommand(CLI::App& app, const GlobalOptions& global, Runner& run);

// Validators for the protocol's id formats.
CLI::Validator UserIdValidator();
CLI::Validator ClientTokenValidator();
// The "target" option group of commands that post to one conversation:
// exactly one of --to USER (the direct conversation) and --conv ID.
void AddTargetOptions(CLI::App& command, std::string& to, std::string& conv,
                      const std::string& title);

// Connects with the global options. On failure prints why on stderr, sets
// `exit_code` and returns nullptr.
std::unique_ptr<client::ChatClient> ConnectClient(const GlobalOptions& global, int& exit_code);

// Prints an event's JSON payload as one line on stdout and flushes.
void PrintJsonLine(const client::Event& event);

// The way listen, chat and sync show events: events from the backend as
// one JSON line on stdout (true); the library's local events (connection,
// sync, errors) and malformed payloads as a human line on stderr (false).
bool PrintEvent(const client::Event& event);

// Waits until the outbox is empty or `deadline` passes; the number left.
std::size_t DrainOutbox(const client::ChatClient& chat,
                        std::chrono::steady_clock::time_point deadline);

// Prints the reply to a request and maps it to an exit code: kExitOk when it
// has type `expected`, kExitServerError for an `error`, kExitTimedOut or
// kExitConnectionLost when there is none. `what` names the request.
int ReportReply(const std::optional<client::Event>& reply, std::string_view expected,
                const client::ChatClient& chat, const std::string& what);
// A request that could not be published: kExitUsage (invalid) or kExitConnectionLost.
int ReportPublishFailure(const client::Status& status);

// The whole of a one-request subcommand: connects, publishes with `publish`,
// waits for the reply and reports it as ReportReply does.
using PublishRequest = std::function<client::RequestResult(client::ChatClient&)>;
int RunRequest(const GlobalOptions& global, const PublishRequest& publish,
               std::string_view expected);

// Prints "chat-cli: <text>" on stderr.
void PrintError(const std::string& text);

}  // namespace chat::cli
