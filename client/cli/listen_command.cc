// chat-cli listen: print every event as one JSON line.
#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli_options.h"

namespace chat::cli {
namespace {

std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "used from a signal handler");

extern "C" void RequestStop(int) { stop_requested.store(true); }

struct ListenOptions {
  int count = 0;     // 0: no limit
  double for_s = 0;  // 0: no limit
  std::vector<std::string> watch;
  bool away = false;
};

// Polling granularity for SIGINT/SIGTERM and the --for-s deadline.
constexpr std::chrono::milliseconds kPoll(100);

int RunListen(const GlobalOptions& global, const ListenOptions& options) {
  int exit_code = kExitOk;
  auto chat = ConnectClient(global, exit_code);
  if (!chat) return exit_code;
  if (options.away) {
    if (client::Status set = chat->SetAway(true); !set.ok()) return ReportPublishFailure(set);
  }
  if (!options.watch.empty()) {
    client::RequestResult watched = chat->WatchPresence(options.watch);
    if (!watched.status.ok()) return ReportPublishFailure(watched.status);
  }
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
    if (event && PrintEvent(*event)) ++printed;
  }
  return kExitOk;
}

}  // namespace

void AddListenCommand(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto options = std::make_shared<ListenOptions>();
  CLI::App* listen = app.add_subcommand(
      "listen",
      "Print every event received as one JSON line (the payload as sent), flushed per line: "
      "each conversation's messages once and in seq order (gaps are filled by sync first). "
      "Runs until --count events, --for-s seconds, or SIGINT/SIGTERM. Connection losses and "
      "reconnects, sync summaries and malformed payloads are reported on stderr, not counted.");
  listen->add_option("--count", options->count, "Stop after this many events")
      ->check(CLI::PositiveNumber);
  listen->add_option("--for-s", options->for_s, "Stop after this many seconds")
      ->check(CLI::PositiveNumber);
  listen
      ->add_option("--watch", options->watch,
                   "Also print the presence of these users (comma-separated, at most 256): "
                   "their state now, then each change, as `presence` events")
      ->delimiter(',')
      ->check(UserIdValidator());
  listen->add_flag("--away", options->away,
                   "Show this user as away (an app in the background) while listening");
  listen->footer(R"(
On connect, messages missed while away are fetched by sync and printed
first. A lost connection is re-established automatically (with backoff); what
was missed meanwhile is fetched again, so nothing is lost or printed twice.
With --state FILE the next run continues where this one stopped. Exits 0.

Examples:
  chat-cli --user bob --device phone --token-file t listen
  chat-cli --user bob --device phone --token-file t --state bob-phone.db listen
  chat-cli --user bob --device phone --token-file t listen --count 1 --for-s 30 | jq .body
  chat-cli --user bob --device phone --token-file t listen --watch alice,carol
)");
  listen->callback([options, &global, &run] {
    run = [options, &global] { return RunListen(global, *options); };
  });
}

}  // namespace chat::cli
