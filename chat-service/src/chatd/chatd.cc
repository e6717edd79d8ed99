// chatd's threads and the routing of everything it receives.
#include "chatd/chatd.h"

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "chat/clock.h"
#include "chat/stop_signals.h"
#include "chat/store_target.h"
#include "chat/topics.h"

namespace chat {

namespace {

// The most one merged fan-out publish carries (chatd/fanout_outbox.h): a
// quarter of the broker's packet limit, so a busy pass takes what waited
// (hundreds of small batches) while no merge holds the broker's loop longer
// than one of the writer's own largest payloads does.
constexpr std::size_t kFanoutMergeBytes = 256 * 1024;
// The most that waits for one broker node (per outbox): a node that is gone
// costs at most this much memory; its devices catch up by sync elsewhere.
constexpr std::size_t kNodeWaitingBytes = 64 * 1024 * 1024;

CommandLimits LimitsOf(const ChatdConfig& config) {
  CommandLimits limits;
  limits.max_body_bytes = config.max_body_bytes;
  limits.max_group_members = config.max_group_members;
  return limits;
}

}  // namespace

Chatd::Node::Node(Chatd& chatd, const BrokerNode& address, std::size_t index)
    : fanout(kFanoutMergeBytes, kNodeWaitingBytes),
      replies(kFanoutMergeBytes, kNodeWaitingBytes),
      paced({.slice_copies = chatd.config_.paced_slice_copies,
             .max_queued_copies = chatd.config_.paced_queue_copies,
             .max_slice_copies = chatd.config_.paced_max_slice_copies}),
      link(
          {address.host, address.port, "chatd", chatd.config_.key},
          [&chatd, index](const std::string& topic, const std::string& payload) {
            chatd.OnMessage(index, topic, payload);
          },
          [&chatd, index] { chatd.OnNodeLost(index); }) {}

Chatd::Chatd(const ChatdConfig& config, Database db)
    : config_(config),
      limits_(LimitsOf(config)),
      db_(std::move(db)),
      checkpointer_(db_.engine() == Database::Engine::kSqlite
                        ? std::make_unique<WalCheckpointer>(db_)
                        : nullptr),
      presence_(config.broker_nodes.size()),
      nodes_(MakeNodes()),
      writer_(
          db_, writes_, [this](const std::string& p) { PushToNodes(&Node::fanout, p); },
          WriterOptions{limits_, 512,
                        [this] {
                          if (checkpointer_) checkpointer_->FinishOnWriterThread();
                        },
                        [this](std::vector<std::string> users) {
                          for (std::string& user : users) audience_changes_.Push(std::move(user));
                          queries_.Wake();
                        },
                        &presence_, RouteToPacedLanes()}),
      query_service_(
          config.db_path, queries_, presence_,
          {presence_changes_, audience_changes_, presence_synced_, config.presence_grace_ms,
           [this](std::vector<std::pair<std::string, int64_t>> seen) {
             writes_.Push(Command{{}, {}, {}, LastSeenCommand{std::move(seen)}, false});
           }},
          [this](const std::string& p) { PushToNodes(&Node::replies, p); }, RouteToPacedLanes()),
      access_watcher_(config.db_path, [this](const std::string& user, const std::string& device) {
        for (const auto& node : nodes_) node->link.Kick(user, device);
      }) {}

std::vector<std::unique_ptr<Chatd::Node>> Chatd::MakeNodes() {
  std::vector<std::unique_ptr<Node>> nodes;
  for (std::size_t i = 0; i < config_.broker_nodes.size(); ++i) {
    nodes.push_back(std::make_unique<Node>(*this, config_.broker_nodes[i], i));
  }
  return nodes;
}

PacedRoute Chatd::RouteToPacedLanes() const {
  PacedRoute route{{}, config_.large_group_members};
  for (const auto& node : nodes_) route.lanes.push_back(&node->paced);
  return route;
}

void Chatd::PushToNodes(FanoutOutbox Node::*outbox, const std::string& payload) {
  for (const auto& node : nodes_) {
    FanoutOutbox& out = (*node).*outbox;
    if (!out.Push(payload)) continue;
    uint64_t dropped = out.stats().dropped;
    if ((dropped & (dropped - 1)) == 0) {  // the 1st, 2nd, 4th, 8th...: a trace, not a flood
      spdlog::warn(
          "broker {}: over {} MiB wait to be published there; {} payloads dropped so far (its "
          "devices catch up by sync)",
          node->link.address(), kNodeWaitingBytes >> 20, dropped);
    }
  }
}

void Chatd::OnMessage(std::size_t node, const std::string& topic, const std::string& payload) {
  if (topic == kBrokerNoticeLogTopic) {
    nodes_[node]->timeouts.OnLogLine(payload, NowMillis());
    return;
  }
  if (PresenceView::Handles(topic)) {
    // A page mark of a presence snapshot: ask for the next page at once.
    if (topic == kBrokerBootTopic) nodes_[node]->link.FollowPresenceSnapshot(payload);
    std::vector<PresenceTransition> changed;
    presence_.Apply(topic, payload, &changed, NowMillis(), node);
    nodes_[node]->timeouts.Backdate(changed);
    if (nodes_[node]->timeouts.TakeLogMissing()) {
      spdlog::warn(
          "broker {}: devices left but its log never reached chatd on {}: without `log_dest "
          "topic` in its mosquitto.conf, a keepalive timeout shows as last seen when the broker "
          "noticed it, up to 1.5 x keepalive + 6 s late",
          nodes_[node]->link.address(), kBrokerNoticeLogTopic);
    }
    if (nodes_.size() > 1) KickDuplicates(node, changed);
    QueuePresenceChanges(std::move(changed));
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

void Chatd::OnNodeLost(std::size_t node) {
  std::vector<PresenceTransition> changed;
  presence_.NodeLost(node, &changed, NowMillis());
  if (!changed.empty()) {
    spdlog::info("broker {}: {} users it reported are offline there until it is back",
                 nodes_[node]->link.address(), changed.size());
  }
  QueuePresenceChanges(std::move(changed));
}

void Chatd::KickDuplicates(std::size_t node, const std::vector<PresenceTransition>& changed) {
  for (const PresenceTransition& change : changed) {
    if (!change.online || change.device.empty()) continue;
    std::optional<std::size_t> older = presence_.OtherNodeOf(change.user, change.device, node);
    if (!older) continue;
    spdlog::info(
        "{}/{} connected to broker {} while connected to broker {}: disconnecting the "
        "older connection",
        change.user, change.device, nodes_[node]->link.address(), nodes_[*older]->link.address());
    nodes_[*older]->link.Kick(change.user, change.device);
  }
}

void Chatd::QueuePresenceChanges(std::vector<PresenceTransition> changed) {
  bool any = !changed.empty();
  for (PresenceTransition& change : changed) presence_changes_.Push(std::move(change));
  if (!presence_synced_ && presence_.synced()) presence_synced_ = true;  // after its changes
  if (any) queries_.Wake();  // told to watchers soon, not at the next poll
}

void Chatd::RunOrStop(const char* thread_name, const std::function<void()>& body) {
  // "chatd-writer", ... in `top -H` and `ps -L` (at most 15 characters).
  std::string name = std::string("chatd-") + thread_name;
  ::pthread_setname_np(::pthread_self(), name.substr(0, 15).c_str());
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

bool Chatd::StartLinks() {
  std::atomic<std::size_t> up{0};
  std::vector<std::thread> starters;
  for (const auto& node : nodes_) {
    starters.emplace_back([this, &up, link = &node->link] {
      if (link->Start(stop_)) ++up;
    });
  }
  for (std::thread& starter : starters) starter.join();
  return up == nodes_.size();
}

void Chatd::DrainNodes() {
  auto waiting = [this](FanoutOutbox Node::*outbox) {
    return std::any_of(nodes_.begin(), nodes_.end(), [outbox](const auto& node) {
      return node->link.connected() && !((*node).*outbox).empty();
    });
  };
  // The last batches' copies and the last replies (devices get anything
  // left by sync, senders resend what was not `accepted`, and a query
  // without its answer is asked again). A node chatd is not connected to
  // takes nothing.
  auto fanout_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((waiting(&Node::fanout) || waiting(&Node::replies)) &&
         std::chrono::steady_clock::now() < fanout_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  fanout_stop_ = true;
  for (const auto& node : nodes_) {
    node->fanout.Interrupt();
    node->replies.Interrupt();
  }
}

bool Chatd::Run() {
  std::thread writer_thread([this] { RunOrStop("writer", [this] { writer_.Run(stop_); }); });
  std::thread query_thread([this] { RunOrStop("query", [this] { query_service_.Run(stop_); }); });
  std::thread access_thread(
      [this] { RunOrStop("access", [this] { access_watcher_.Run(stop_); }); });
  std::vector<std::thread> fanout_threads;
  std::vector<std::thread> paced_threads;
  for (const auto& node : nodes_) {
    Node* n = node.get();
    fanout_threads.emplace_back(
        [this, n] { RunOrStop("fanout", [&] { n->link.DrainFanout(n->fanout, fanout_stop_); }); });
    fanout_threads.emplace_back([this, n] {
      RunOrStop("replies", [&] { n->link.DrainReplies(n->replies, fanout_stop_); });
    });
    paced_threads.emplace_back(
        [this, n] { RunOrStop("paced", [&] { n->link.DrainPaced(n->paced, paced_stop_); }); });
  }
  std::thread signal_thread([this] {
    int received = WaitForStopSignal();
    spdlog::info("received signal {}; draining and stopping", received);
    stop_ = true;
  });
  if (StartLinks()) {
    std::string brokers;
    for (const auto& node : nodes_) brokers += (brokers.empty() ? "" : ", ") + node->link.address();
    spdlog::info("chatd ready (broker {}, database {})", brokers, StoreName(config_.db_path));
  }
  signal_thread.join();
  writer_thread.join();
  query_thread.join();
  access_thread.join();
  DrainNodes();
  for (std::thread& thread : fanout_threads) thread.join();
  // The last batches' paced copies, briefly: whatever is left, devices get by sync.
  auto paced_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::any_of(nodes_.begin(), nodes_.end(),
                     [](const auto& node) {
                       return node->link.connected() && node->paced.queued_copies() > 0;
                     }) &&
         std::chrono::steady_clock::now() < paced_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  paced_stop_ = true;
  for (const auto& node : nodes_) node->paced.Interrupt();
  for (std::thread& thread : paced_threads) thread.join();
  for (const auto& node : nodes_) {
    std::string where = nodes_.size() > 1 ? "broker " + node->link.address() + ": " : "";
    for (auto [name, outbox] :
         {std::pair{"fan-out", &node->fanout}, std::pair{"replies", &node->replies}}) {
      FanoutOutboxStats stats = outbox->stats();
      spdlog::info(
          "{}{}: {} payloads in {} publishes (at most {} merged into one); {} dropped; {} "
          "left",
          where, name, stats.payloads, stats.publishes, stats.largest_merge, stats.dropped,
          outbox->empty() ? "none" : "some");
    }
    PacedLaneStats paced = node->paced.stats();
    spdlog::info(
        "{}paced lane: {} copies queued, {} shed for {} head events ({} not remembered), {} "
        "typing dropped, {} left; slices grew to {} copies",
        where, paced.copies_queued, paced.copies_shed, paced.heads_sent, paced.heads_lost,
        paced.typing_dropped, node->paced.queued_copies(), paced.largest_slice);
  }
  if (checkpointer_) {
    spdlog::info(
        "WAL checkpoints: {} on the checkpointer thread, {} finished by the writer, {} "
        "inline; the WAL restarted {} times",
        checkpointer_->checkpoints(), checkpointer_->finished_checkpoints(),
        checkpointer_->inline_checkpoints(), checkpointer_->restarts());
  }
  for (const auto& node : nodes_) node->link.Stop();
  spdlog::info("chatd stopped{}", failed_ ? " after a failure" : "");
  return !failed_;
}

}  // namespace chat
