// What every chat-cli subcommand shares: global options, exit codes,
// connecting, and output helpers.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

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

// Validators for the protocol's id formats.
CLI::Validator UserIdValidator();
CLI::Validator ClientTokenValidator();

// Connects with the global options. On failure prints why on stderr, sets
// `exit_code` and returns nullptr.
std::unique_ptr<client::ChatClient> ConnectClient(const GlobalOptions& global, int& exit_code);

// Prints an event's JSON payload as one line on stdout and flushes.
void PrintJsonLine(const client::Event& event);

// Prints "chat-cli: <text>" on stderr.
void PrintError(const std::string& text);

}  // namespace chat::cli
