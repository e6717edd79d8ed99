// chat-cli chat: an interactive conversation on the terminal.
#include <atomic>
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
// then drains what is left. Owns stdout while it runs. Stop it after the
// client's Disconnect: then no event can be queued any more, and the last
// drain prints (and so records, for the saved position) every one.
class EventPrinter {
 public:
  explicit EventPrinter(client::ChatClient& chat) : chat_(chat), thread_([this] { Run(); }) {}
  ~EventPrinter() { Stop(); }

  void Stop() {
    stopping_.store(true);
    if (thread_.joinable()) thread_.join();
  }

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
    bool local = event.raw.empty() || event.Is(client::event_type::kInvalid);
    (local ? std::cerr : std::cout) << client::FormatEventLine(event) << std::endl;
  }

  client::ChatClient& chat_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;  // last: starts after the flags exist
};

int RunChat(const GlobalOptions& global, const ChatOptions& options) {
  int exit_code = kExitOk;
  auto chat = ConnectClient(global, exit_code);
  if (!chat) return exit_code;
  EventPrinter printer(*chat);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF input
    if (line.empty()) continue;
    // Queued in the outbox (and --state): sent now, or after a reconnect.
    client::SendResult sent = chat->Send({options.to, options.conv, line, {}, {}});
    if (!sent.status.ok()) PrintError("not sent: " + sent.status.message());
  }
  std::size_t left = DrainOutbox(*chat, std::chrono::steady_clock::now() + global.timeout());
  // In this order: the `accepted` that emptied the outbox may still be on its
  // way to the event queue; Disconnect returns once it is there and nothing
  // else can come. The positions the printer takes are saved when `chat` ends.
  bool connected = chat->IsConnected();
  chat->Disconnect();
  printer.Stop();
  if (left == 0) return kExitOk;
  PrintError(std::to_string(left) + " message(s) not accepted within the timeout" +
             (global.state_path.empty()
                  ? " (not kept: without --state nothing resends it)"
                  : "; kept in " + global.state_path + " and resent by the next run"));
  return connected ? kExitTimedOut : kExitConnectionLost;
}

}  // namespace

void AddChatCommand(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto options = std::make_shared<ChatOptions>();
  CLI::App* chat = app.add_subcommand(
      "chat",
      "Interactive chat: each line of stdin is sent as a message; incoming events are printed "
      "as \"[CONV #SEQ] USER/DEVICE: TEXT\". Ends at EOF (Ctrl-D) once every line is accepted.");
  AddTargetOptions(*chat, options->to, options->conv, "Whom to talk to");
  chat->footer(R"(
Every event of this user is shown, prefixed with its conversation; messages
appear once each, in seq order. Lines typed while the connection is down are
kept and sent, in order, once it is back (it reconnects by itself). At EOF
chat-cli waits up to --timeout-s for every message to be accepted: exit 0
when all were, 3 when some were not (5 if not connected). With --state FILE,
those are kept in FILE and resent by the next run.

Examples:
  chat-cli --user alice --device laptop --token-file t chat --to bob
  chat-cli --user alice --device laptop --token-file t --state alice.db chat --to bob
  echo "build is green" | chat-cli --user ci --device runner --token-file t chat --conv c0123
)");
  chat->callback(
      [options, &global, &run] { run = [options, &global] { return RunChat(global, *options); }; });
}

}  // namespace chat::cli
