// chat-cli listen: print every event as one JSON line.
#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>

#include "cli_options.h"

namespace chat::cli {
namespace {

std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "used from a signal handler");

extern "C" void RequestStop(int) { stop_requested.store(true); }

struct ListenOptions {
  int count = 0;     // 0: no limit
  double for_s = 0;  // 0: no limit
};

// Polling granularity for SIGINT/SIGTERM and the --for-s deadline.
constexpr std::chrono::milliseconds kPoll(100);

int RunListen(const GlobalOptions& global, const ListenOptions& options) {
  int exit_code = kExitOk;
  auto chat = ConnectClient(global, exit_code);
  if (!chat) return exit_code;
  std::signal(SIGINT, RequestStop);
  std::signal(SIGTERM, RequestStop);

  using Clock = std::chrono::steady_clock;
  auto deadline =
      options.for_s > 0
          ? Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(options.for_s * 1000))
          : Clock::time_point::max();
  int printed = 0;
  while (!stop_requested.load() && (options.count == 0 || printed < options.count)) {
    auto now = Clock::now();
    if (now >= deadline) break;
    auto wait = std::min<Clock::duration>(kPoll, deadline - now);
    auto event = chat->NextEvent(std::chrono::ceil<std::chrono::milliseconds>(wait));
    if (!event) continue;
    if (event->Is(client::event_type::kConnectionLost)) {
      PrintError("connection lost: " + event->message);
      return kExitConnectionLost;
    }
    if (event->Is(client::event_type::kInvalid)) {
      PrintError("ignored a malformed event on " + event->topic + ": " + event->message);
      continue;
    }
    PrintJsonLine(*event);
    ++printed;
  }
  return kExitOk;
}

}  // namespace

void AddListenCommand(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto options = std::make_shared<ListenOptions>();
  CLI::App* listen = app.add_subcommand(
      "listen",
      "Print every event received as one JSON line (the payload as sent), flushed per line. "
      "Runs until --count events, --for-s seconds, or SIGINT/SIGTERM. Malformed payloads are "
      "reported on stderr and not counted.");
  listen->add_option("--count", options->count, "Stop after this many events")
      ->check(CLI::PositiveNumber);
  listen->add_option("--for-s", options->for_s, "Stop after this many seconds")
      ->check(CLI::PositiveNumber);
  listen->footer(R"(
With the default persistent session, events that arrived while this device
was away are delivered first. Exits 0 when done, 5 if the connection drops.

Examples:
  chat-cli --user bob --device phone --token-file t listen
  chat-cli --user bob --device phone --token-file t listen --count 1 --for-s 30 | jq .body
)");
  listen->callback([options, &global, &run] {
    run = [options, &global] { return RunListen(global, *options); };
  });
}

}  // namespace chat::cli
