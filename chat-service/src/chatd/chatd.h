// chatd, whole: the one owner of its connections, queues, workers and
// threads, and the one place that decides what an incoming message is.
//
// Threads, and what each owns:
//   - Paho's callback thread runs OnMessage: it updates the PresenceView,
//     parses commands and pushes each onto the write or the query queue.
//     It never touches the database.
//   - the writer thread runs Writer::Run and owns the writer's database
//     connection (with the WalCheckpointer finishing checkpoints between
//     batches); it is the only thread that writes.
//   - the query thread runs QueryService::Run on its own read-only
//     connection, reading the PresenceView.
//   - the access thread runs AccessWatcher::Run on its own read-only
//     connection: devices whose token was revoked or whose user was banned
//     are disconnected on every node.
//   - the signal thread waits for SIGTERM/SIGINT and sets `stop_`; then the
//     writer and the query thread drain their queues and return.
//   - per broker node (one BrokerLink each; several in a cluster, every
//     node gets every event: docs/ARCHITECTURE.md, "Broker nodes"):
//     - the fan-out thread publishes the node's fan-out outbox: the
//       writer's committed batches' events, merged while the broker is busy
//       (chatd/fanout_outbox.h);
//     - the replies thread publishes the query thread's replies the same
//       way on the query connection;
//     - the paced thread publishes the node's paced lane's slices (large
//       conversations' live copies and typing, chatd/paced_lane.h);
//     - a starter thread connects the link (Paho reconnects it later).
//   - the calling thread (Run) waits for the links, then for the stop.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "chat/database.h"
#include "chat/wal_checkpointer.h"
#include "chatd/access_watcher.h"
#include "chatd/broker_link.h"
#include "chatd/chatd_config.h"
#include "chatd/command.h"
#include "chatd/command_queue.h"
#include "chatd/fanout_outbox.h"
#include "chatd/keepalive_timeouts.h"
#include "chatd/paced_lane.h"
#include "chatd/presence_view.h"
#include "chatd/query_service.h"
#include "chatd/writer.h"

namespace chat {

class Chatd {
 public:
  // `db` is the migrated database at config.db_path. SIGTERM and SIGINT must
  // be blocked already (chat/stop_signals.h, first thing in main), so that
  // only the signal thread receives them.
  Chatd(const ChatdConfig& config, Database db);

  // Connects to the broker and serves until SIGTERM or SIGINT, then drains
  // both queues and disconnects. Call once. False when it stopped because
  // the writer or the query thread failed (the daemon then exits non-zero,
  // so that systemd restarts it).
  bool Run();

 private:
  // One broker node: chatd's connections to it and what waits to be
  // published there.
  struct Node {
    Node(Chatd& chatd, const BrokerNode& address, std::size_t index);

    FanoutOutbox fanout;         // writer thread -> this node's fan-out thread
    FanoutOutbox replies;        // query thread -> this node's replies thread
    PacedLane paced;             // writer and query thread -> this node's paced thread
    KeepaliveTimeouts timeouts;  // this node's Paho thread only
    BrokerLink link;
  };

  std::vector<std::unique_ptr<Node>> MakeNodes();
  PacedRoute RouteToPacedLanes() const;
  // Hands a committed batch's (or a reply's) control payload to every node.
  void PushToNodes(FanoutOutbox Node::*outbox, const std::string& payload);
  // Every message chatd receives from broker node `node`, on Paho's thread:
  // presence and the broker's run (with the follow-up of a presence
  // snapshot's pages) go to the PresenceView, dated by the node's logged
  // keepalive timeouts, device commands to the writer or the query thread.
  // Must return quickly.
  void OnMessage(std::size_t node, const std::string& topic, const std::string& payload);
  // chatd's connection to `node` is gone: its users go offline (after the
  // grace, for watchers) unless they are connected elsewhere.
  void OnNodeLost(std::size_t node);
  void QueuePresenceChanges(std::vector<PresenceTransition> changed);
  // A device that came on `node` while connected to another node too: the
  // older connection (the other node's) is asked to go.
  void KickDuplicates(std::size_t node, const std::vector<PresenceTransition>& changed);
  // Connects every node, each on its own thread; true once all are up.
  bool StartLinks();
  // After the writer and the query thread stopped: the nodes' last
  // publishes, briefly (devices get anything left by sync).
  void DrainNodes();
  // Runs `body` on the current thread; a failure stops chatd.
  void RunOrStop(const char* thread_name, const std::function<void()>& body);

  const ChatdConfig config_;
  const CommandLimits limits_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};                     // a worker thread failed
  Database db_;                                         // the writer's connection
  std::unique_ptr<WalCheckpointer> checkpointer_;       // SQLite only
  BlockingQueue<Command> writes_;                       // Paho's thread -> writer thread
  BlockingQueue<Command> queries_;                      // Paho's thread -> query thread
  PresenceView presence_;                               // Paho's thread -> query thread
  BlockingQueue<PresenceTransition> presence_changes_;  // Paho's thread -> query thread
  BlockingQueue<std::string> audience_changes_;         // writer thread -> query thread
  // Set once the presence snapshot's changes are all queued for the query thread.
  std::atomic<bool> presence_synced_{false};
  std::atomic<bool> fanout_stop_{false};  // set after the writer and the query thread stopped
  std::atomic<bool> paced_stop_{false};   // set after the writer and the query thread stopped
  std::vector<std::unique_ptr<Node>> nodes_;
  Writer writer_;
  QueryService query_service_;
  AccessWatcher access_watcher_;
};

}  // namespace chat
