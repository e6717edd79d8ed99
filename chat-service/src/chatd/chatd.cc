// chatd's threads and the routing of everything it receives.
#include "chatd/chatd.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "chat/clock.h"
#include "chat/stop_signals.h"
#include "chat/topics.h"

namespace chat {

namespace {

// The most one merged fan-out publish carries (chatd/fanout_outbox.h): a
// quarter of the broker's packet limit, so a busy pass takes what waited
// (hundreds of small batches) while no merge holds the broker's loop longer
// than one of the writer's own largest payloads does.
constexpr std::size_t kFanoutMergeBytes = 256 * 1024;

CommandLimits LimitsOf(const ChatdConfig& config) {
  CommandLimits limits;
  limits.max_body_bytes = config.max_body_bytes;
  limits.max_group_members = config.max_group_members;
  return limits;
}

}  // namespace

Chatd::Chatd(const ChatdConfig& config, Database db)
    : config_(config),
      limits_(LimitsOf(config)),
      db_(std::move(db)),
      checkpointer_(db_),
      fanout_(kFanoutMergeBytes),
      replies_(kFanoutMergeBytes),
      paced_({.slice_copies = config.paced_slice_copies,
              .max_queued_copies = config.paced_queue_copies,
              .max_slice_copies = config.paced_max_slice_copies}),
      link_({config.broker_host, config.broker_port, "chatd", config.key},
            [this](const std::string& topic, const std::string& payload) {
              OnMessage(topic, payload);
            }),
      writer_(
          db_, writes_, [this](const std::string& p) { fanout_.Push(p); },
          WriterOptions{limits_, 512, [this] { checkpointer_.FinishOnWriterThread(); },
                        [this](std::vector<std::string> users) {
                          for (std::string& user : users) audience_changes_.Push(std::move(user));
                          queries_.Wake();
                        },
                        &presence_, PacedRoute{&paced_, config.large_group_members}}),
      query_service_(
          config.db_path, queries_, presence_,
          {presence_changes_, audience_changes_, presence_synced_, config.presence_grace_ms,
           [this](std::vector<std::pair<std::string, int64_t>> seen) {
             writes_.Push(Command{{}, {}, {}, LastSeenCommand{std::move(seen)}, false});
           }},
          [this](const std::string& p) { replies_.Push(p); },
          PacedRoute{&paced_, config.large_group_members}) {}

void Chatd::OnMessage(const std::string& topic, const std::string& payload) {
  if (PresenceView::Handles(topic)) {
    // A page mark of a presence snapshot: ask for the next page at once.
    if (topic == kBrokerBootTopic) link_.FollowPresenceSnapshot(payload);
    std::vector<PresenceTransition> changed;
    presence_.Apply(topic, payload, &changed, NowMillis());
    for (PresenceTransition& change : changed) presence_changes_.Push(std::move(change));
    if (!presence_synced_ && presence_.synced()) presence_synced_ = true;  // after its changes
    if (!changed.empty()) queries_.Wake();  // told to watchers soon, not at the next poll
    return;
  }
  auto sender = ParseUpTopic(topic);
  if (!sender) {
    // The plugin's ACL makes this unreachable; never trust it silently.
    spdlog::warn("ignored a message on unexpected topic '{}'", topic);
    return;
  }
  // Parsed here rather than on the writer, so that the next batch is parsed
  // while the writer waits for its commit to sync. A bad payload becomes a
  // rejected command, answered by the writer with its error.
  Command command = ParseCommand(*sender, payload, limits_);
  (command.IsQuery() ? queries_ : writes_).Push(std::move(command));
}

void Chatd::RunOrStop(const char* thread_name, const std::function<void()>& body) {
  try {
    body();
  } catch (const std::exception& e) {
    spdlog::critical("{} thread failed: {}", thread_name, e.what());
    failed_ = true;
    // To the process, not this thread (which has SIGTERM blocked, as all but
    // the signal thread's sigwait): the signal thread then stops the rest.
    ::kill(::getpid(), SIGTERM);
  }
}

bool Chatd::Run() {
  std::thread writer_thread([this] { RunOrStop("writer", [this] { writer_.Run(stop_); }); });
  std::thread query_thread([this] { RunOrStop("query", [this] { query_service_.Run(stop_); }); });
  std::thread fanout_thread(
      [this] { RunOrStop("fanout", [this] { link_.DrainFanout(fanout_, fanout_stop_); }); });
  std::thread replies_thread(
      [this] { RunOrStop("replies", [this] { link_.DrainReplies(replies_, fanout_stop_); }); });
  std::thread paced_thread(
      [this] { RunOrStop("paced", [this] { link_.DrainPaced(paced_, paced_stop_); }); });
  std::thread signal_thread([this] {
    int received = WaitForStopSignal();
    spdlog::info("received signal {}; draining and stopping", received);
    stop_ = true;
  });
  if (link_.Start(stop_)) {
    spdlog::info("chatd ready (broker {}:{}, database {})", config_.broker_host,
                 config_.broker_port, config_.db_path);
  }
  signal_thread.join();
  writer_thread.join();
  query_thread.join();
  // The last batches' copies and the last replies (devices get anything
  // left by sync, senders resend what was not `accepted`, and a query
  // without its answer is asked again).
  auto fanout_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((!fanout_.empty() || !replies_.empty()) &&
         std::chrono::steady_clock::now() < fanout_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  fanout_stop_ = true;
  fanout_.Interrupt();
  replies_.Interrupt();
  fanout_thread.join();
  replies_thread.join();
  // The last batches' paced copies, briefly: whatever is left, devices get by sync.
  auto paced_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (paced_.queued_copies() > 0 && std::chrono::steady_clock::now() < paced_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  paced_stop_ = true;
  paced_.Interrupt();
  paced_thread.join();
  for (auto [name, outbox] : {std::pair{"fan-out", &fanout_}, std::pair{"replies", &replies_}}) {
    FanoutOutboxStats stats = outbox->stats();
    spdlog::info("{}: {} payloads in {} publishes (at most {} merged into one); {} left", name,
                 stats.payloads, stats.publishes, stats.largest_merge,
                 outbox->empty() ? "none" : "some");
  }
  PacedLaneStats paced = paced_.stats();
  spdlog::info(
      "paced lane: {} copies queued, {} shed for {} head events ({} not remembered), {} typing "
      "dropped, {} left; slices grew to {} copies",
      paced.copies_queued, paced.copies_shed, paced.heads_sent, paced.heads_lost,
      paced.typing_dropped, paced_.queued_copies(), paced.largest_slice);
  spdlog::info(
      "WAL checkpoints: {} on the checkpointer thread, {} finished by the writer, {} "
      "inline; the WAL restarted {} times",
      checkpointer_.checkpoints(), checkpointer_.finished_checkpoints(),
      checkpointer_.inline_checkpoints(), checkpointer_.restarts());
  link_.Stop();
  spdlog::info("chatd stopped{}", failed_ ? " after a failure" : "");
  return !failed_;
}

}  // namespace chat
