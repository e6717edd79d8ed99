// chat-cli chat: an interactive conversation on the terminal.
#include <atomic>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include "cli_options.h"

namespace chat::cli {
namespace {

struct ChatOptions {
  std::string to;
  std::string conv;
};

// Prints incoming events human-readably on its own thread until stopped,
// then drains what is left. Owns stdout while it runs.
class EventPrinter {
 public:
  explicit EventPrinter(client::ChatClient& chat) : chat_(chat), thread_([this] { Run(); }) {}
  ~EventPrinter() { Stop(); }

  void Stop() {
    stopping_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  bool connection_lost() const { return connection_lost_.load(); }

 private:
  void Run() {
    while (true) {
      bool last_round = stopping_.load();
      auto event = chat_.NextEvent(last_round ? std::chrono::milliseconds(0)
                                              : std::chrono::milliseconds(100));
      if (event) {
        Print(*event);
      } else if (last_round) {
        return;
      }
    }
  }

  void Print(const client::Event& event) {
    if (event.Is(client::event_type::kConnectionLost)) connection_lost_.store(true);
    std::ostream& out =
        event.Is(client::event_type::kInvalid) || event.Is(client::event_type::kConnectionLost)
            ? std::cerr
            : std::cout;
    out << client::FormatEventLine(event) << std::endl;
  }

  client::ChatClient& chat_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> connection_lost_{false};
  std::thread thread_;  // last: starts after the flags exist
};

// Claims the answers that arrived for `outstanding` sends, waiting up to
// `timeout` for each one still open; returns how many stay unanswered.
std::size_t ClaimAnswers(client::ChatClient& chat, std::deque<std::string>& outstanding,
                         std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::deque<std::string> open;
  for (const std::string& cmid : outstanding) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!chat.WaitForAcceptance(cmid, std::max(left, std::chrono::milliseconds(0)))) {
      open.push_back(cmid);
    }
  }
  outstanding.swap(open);
  return outstanding.size();
}

int RunChat(const GlobalOptions& global, const ChatOptions& options) {
  int exit_code = kExitOk;
  auto chat = ConnectClient(global, exit_code);
  if (!chat) return exit_code;
  EventPrinter printer(*chat);
  std::deque<std::string> outstanding;  // cmids sent and not yet answered
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF input
    if (line.empty()) continue;
    client::SendResult sent = chat->Send({options.to, options.conv, line, {}, {}});
    if (!sent.status.ok()) {
      PrintError("not sent: " + sent.status.message());
      if (!chat->IsConnected()) break;
      continue;
    }
    outstanding.push_back(sent.cmid);
    ClaimAnswers(*chat, outstanding, std::chrono::milliseconds(0));
  }
  std::size_t unanswered = ClaimAnswers(*chat, outstanding, global.timeout());
  printer.Stop();
  if (printer.connection_lost() || !chat->IsConnected()) return kExitConnectionLost;
  if (unanswered > 0) {
    PrintError(std::to_string(unanswered) + " message(s) not accepted within the timeout");
    return kExitTimedOut;
  }
  return kExitOk;
}

}  // namespace

void AddChatCommand(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto options = std::make_shared<ChatOptions>();
  CLI::App* chat = app.add_subcommand(
      "chat",
      "Interactive chat: each line of stdin is sent as a message; incoming events are printed "
      "as \"[CONV #SEQ] USER/DEVICE: TEXT\". Ends at EOF (Ctrl-D) once every line is accepted.");
  CLI::Option_group* target = chat->add_option_group("target", "Whom to talk to (exactly one)");
  target->add_option("--to", options->to, "The other user's id (the direct conversation)")
      ->check(UserIdValidator());
  target->add_option("--conv", options->conv, "Conversation id")->check(UserIdValidator());
  target->require_option(1);
  chat->footer(R"(
Every event of this user is shown, prefixed with its conversation. At EOF
chat-cli waits up to --timeout-s for the last messages to be accepted:
exit 0 when all were, 3 when some were not, 5 if the connection dropped.

Examples:
  chat-cli --user alice --device laptop --token-file t chat --to bob
  echo "build is green" | chat-cli --user ci --device runner --token-file t chat --conv c0123
)");
  chat->callback(
      [options, &global, &run] { run = [options, &global] { return RunChat(global, *options); }; });
}

}  // namespace chat::cli
