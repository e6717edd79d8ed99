// Global options, connecting and output helpers of chat-cli.
#include "cli_options.h"

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "chat/compact_form.h"
#include "chat/ids.h"

namespace chat::cli {
namespace {

std::string Trim(const std::string& text) {
  const char* kSpace = " \t\r\n\f\v";
  auto begin = text.find_first_not_of(kSpace);
  if (begin == std::string::npos) return "";
  auto end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

// The token from --token, or read from --token-file; false when unreadable.
bool ResolveToken(const GlobalOptions& global, std::string& token) {
  if (global.token_file.empty()) {
    token = global.token;
    return true;
  }
  std::ifstream file(global.token_file);
  if (!file) {
    PrintError("cannot read token file " + global.token_file);
    return false;
  }
  std::ostringstream content;
  content << file.rdbuf();
  token = Trim(content.str());
  return true;
}

std::string DescribeFailure(const client::ConnectResult& result, const GlobalOptions& global) {
  using Outcome = client::ConnectResult::Outcome;
  std::string where = global.host + ":" + std::to_string(global.port);
  const std::string& why = result.status.message();
  switch (result.outcome) {
    case Outcome::kRefused:
      return "connection to " + where + " refused: " + why +
             (result.connack_code == 5 ? " (check --user, --device and the token)" : "");
    case Outcome::kUnreachable: return "cannot connect to " + where + ": " + why;
    case Outcome::kTimedOut: return "connecting to " + where + " timed out: " + why;
    case Outcome::kSubscriptionRefused: return "connected to " + where + " but " + why;
    default: return why;
  }
}

}  // namespace

void AddGlobalOptions(CLI::App& app, GlobalOptions& g) {
  app.add_option("--host", g.host, "Broker host")->capture_default_str()->envname("CHAT_HOST");
  app.add_option("--port", g.port, "Broker MQTT port")
      ->capture_default_str()
      ->check(CLI::Range(1, 65535))
      ->envname("CHAT_PORT");
  app.add_option("--user", g.user, "Your user id")
      ->required()
      ->check(UserIdValidator())
      ->envname("CHAT_USER");
  app.add_option("--device", g.device, "Your device id")
      ->required()
      ->check(UserIdValidator())
      ->envname("CHAT_DEVICE");
  auto* token = app.add_option("--token", g.token,
                               "Access token (prefer --token-file: argv is visible to others)")
                    ->envname("CHAT_TOKEN");
  app.add_option("--token-file", g.token_file, "File holding the access token (whitespace trimmed)")
      ->check(CLI::ExistingFile)
      ->excludes(token)
      ->envname("CHAT_TOKEN_FILE");
  app.add_option("--timeout-s", g.timeout_s, "Seconds to wait for the connection and each reply")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--state", g.state_path,
                 "State file (SQLite) of this device: unsent messages are kept there and resent "
                 "by the next run, and the position in each conversation is remembered so that "
                 "sync and listen show nothing twice. One file per user and device.")
      ->envname("CHAT_STATE");
  app.add_flag("--clean-session", g.clean_session,
               "Start a clean MQTT session (default: persistent, so the broker queues events "
               "while away)");
}

CLI::Validator UserIdValidator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        return IsValidId(value) ? "" : "'" + value + "' is not an id ([a-z0-9_-]{1,64})";
      },
      "ID");
}

CLI::Validator ClientTokenValidator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        return IsValidClientToken(value) ? ""
                                         : "'" + value + "' does not match [A-Za-z0-9._:-]{1,64}";
      },
      "TOKEN");
}

void AddTargetOptions(CLI::App& command, std::string& to, std::string& conv,
                      const std::string& title) {
  CLI::Option_group* target = command.add_option_group("target", title + " (exactly one)");
  target->add_option("--to", to, "The other user's id (the direct conversation)")
      ->check(UserIdValidator());
  target->add_option("--conv", conv, "Conversation id")->check(UserIdValidator());
  target->require_option(1);
}

std::unique_ptr<client::ChatClient> ConnectClient(const GlobalOptions& global, int& exit_code) {
  client::ClientOptions options;
  options.host = global.host;
  options.port = global.port;
  options.user = global.user;
  options.device = global.device;
  options.clean_session = global.clean_session;
  options.state_path = global.state_path;
  options.connect_timeout = global.timeout();
  if (!ResolveToken(global, options.token)) {
    exit_code = kExitUsage;
    return nullptr;
  }
  std::unique_ptr<client::ChatClient> chat;
  try {
    chat = std::make_unique<client::ChatClient>(std::move(options));
  } catch (const std::exception& e) {
    PrintError(std::string("cannot use the state file: ") + e.what());
    exit_code = kExitUsage;
    return nullptr;
  }
  client::ConnectResult result = chat->Connect(global.timeout());
  if (!result.ok()) {
    PrintError(DescribeFailure(result, global));
    exit_code = result.outcome == client::ConnectResult::Outcome::kInvalidArgument
                    ? kExitUsage
                    : kExitConnectFailed;
    return nullptr;
  }
  return chat;
}

// The payload as received (a compact array as the object it stands for),
// plus what the library filled in for the app: the `conv` a conversation
// topic names, `accepted` for a message of the user's own, the body of this
// device's own `accepted` (PROTOCOL.md section 6).
void PrintJsonLine(const client::Event& event) {
  std::string line = event.raw;
  auto json = nlohmann::ordered_json::parse(line, nullptr, false);
  bool compact = json.is_array();  // printed as the object it stands for
  if (compact) {
    std::string error;
    json = compact::Expand(json, error).value_or(nlohmann::ordered_json());
  }
  bool filled = json.is_object() && (compact || (!json.contains("conv") && !event.conv.empty()) ||
                                     json.value("type", "") != event.type ||
                                     (!json.contains("body") && !event.body.empty()));
  if (filled) {
    json["type"] = event.type;
    if (!json.contains("conv") && !event.conv.empty()) json["conv"] = event.conv;
    if (!json.contains("body") && !event.body.empty()) json["body"] = event.body;
  }
  // One event per line even if the payload was pretty-printed.
  if (filled || line.find_first_of("\r\n") != std::string::npos) {
    line = json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
  std::cout << line << '\n' << std::flush;
}

void PrintError(const std::string& text) { std::cerr << "chat-cli: " << text << '\n'; }

bool PrintEvent(const client::Event& event) {
  using namespace client::event_type;
  bool local = event.raw.empty() || event.Is(kInvalid);
  if (local) {
    std::cerr << "chat-cli: " << client::FormatEventLine(event)
              << (event.topic.empty() ? "" : " on " + event.topic) << std::endl;
    return false;
  }
  PrintJsonLine(event);
  return true;
}

std::size_t DrainOutbox(const client::ChatClient& chat,
                        std::chrono::steady_clock::time_point deadline) {
  while (true) {
    std::size_t left = chat.PendingSends().size();
    if (left == 0 || std::chrono::steady_clock::now() >= deadline) return left;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

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
  if (reply->Is(client::event_type::kConnectionLost)) {
    PrintError("connection lost before the reply to " + what +
               " came; it may or may not have been applied");
    return kExitConnectionLost;
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

int RunRequest(const GlobalOptions& global, const PublishRequest& publish,
               std::string_view expected) {
  int exit_code = kExitOk;
  auto chat = ConnectClient(global, exit_code);
  if (!chat) return exit_code;
  client::RequestResult sent = publish(*chat);
  if (!sent.status.ok()) return ReportPublishFailure(sent.status);
  auto reply = chat->WaitForReply(sent.req_id, global.timeout());
  return ReportReply(reply, expected, *chat, "req_id " + sent.req_id);
}

}  // namespace chat::cli
