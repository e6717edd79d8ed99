// chatd's configuration file (deploy/chatd.conf documents every key).
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "chat/protocol.h"
#include "chat/service_config.h"
#include "chat/status.h"

namespace chat {

// One broker node chatd connects to.
struct BrokerNode {
  std::string host;
  int port = 1883;

  bool operator==(const BrokerNode&) const = default;
};

// The service keys (broker, database, key, log level), and chatd's own.
struct ChatdConfig : ServiceConfig {
  // broker_nodes: every broker node of a cluster, "host:port, host:port";
  // when absent, the one node broker_host:broker_port. chatd connects to
  // each (docs/ARCHITECTURE.md, "Broker nodes").
  std::vector<BrokerNode> broker_nodes;
  std::size_t max_body_bytes = protocol::kDefaultMaxBodyBytes;        // max_body_bytes
  std::size_t max_group_members = protocol::kDefaultMaxGroupMembers;  // max_group_members
  // presence_grace_ms: how long a user's last device may be gone before
  // watchers see them offline (a tunnel, a network switch).
  int64_t presence_grace_ms = 10000;
  // The paced lane (chatd/paced_lane.h). large_group_members: a message's
  // live copies to at least this many members go through it (0: none do);
  // paced_slice_copies: copies per publish, which grow up to
  // paced_max_slice_copies while the broker falls behind; paced_queue_copies:
  // the queue beyond which it sheds large conversations' copies for `head`
  // events.
  std::size_t large_group_members = 100;
  std::size_t paced_slice_copies = 10;
  std::size_t paced_max_slice_copies = 40;
  std::size_t paced_queue_copies = 20000;
};

// Every key of chatd.conf (chatctl --config reads the same file).
const std::set<std::string>& ChatdConfigKeys();

// Loads and validates `path`, including reading the key file. Errors name
// the file and the key.
StatusOr<ChatdConfig> LoadChatdConfig(const std::string& path);

}  // namespace chat
