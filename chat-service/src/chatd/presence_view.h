// Which users have a connected device, as the broker plugin reports on
// chat/sys/presence/{u}: live changes (not retained), and the pages of the
// snapshot chatd asks for after every connect (PROTOCOL.md section 4). Each
// state is stamped with the broker run (`boot`) that produced it;
// chat/sys/broker names the current run. A state from an earlier run (queued
// across a restart by broker persistence) is stale and counts as offline.
//
// With several broker nodes (a cluster, docs/ARCHITECTURE.md "Broker
// nodes"), each node reports its own connections and runs: the view keeps
// one state per node, a user is online while online on any node, and the
// `devices` of every transition count the user's devices on all nodes.
// When chatd loses its connection to a node, that node's users are taken
// offline (NodeLost); its snapshot brings back those still connected once
// chatd is connected again.
// Updated on Paho's thread, read by the query thread; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

// A device of a user came (`online`: the first, or one more) or went (then
// `left_ms` is when), as one Apply saw it; `devices` are connected after it,
// so a departure with `devices` 0 takes the user offline. `device` names the
// device, except when a snapshot or a new broker run told the change: then
// it is empty, and a departure is dated with the Apply's `now_ms`.
struct PresenceTransition {
  std::string user;
  bool online = false;
  int64_t left_ms = 0;
  std::string device = {};
  int64_t devices = 0;
  // A departure the plugin reported: the connection's keepalive (0 when
  // none), and whether `left_ms` is already its last packet before a
  // keepalive timeout (KeepaliveTimeouts dates the others).
  int64_t keepalive_s = 0;
  bool timed_out = false;

  bool operator==(const PresenceTransition&) const = default;
};

class PresenceView {
 public:
  // `nodes`: the broker nodes whose reports Apply takes (at least one).
  explicit PresenceView(std::size_t nodes = 1);

  // Applies one message of chat/sys/presence/{u} or chat/sys/broker. A page
  // mark first takes every user of its range offline; the page's states then
  // bring back those still online, which also drops any offline change that
  // never arrived. A new broker run takes everyone of the run before
  // offline. Malformed payloads are ignored (and return false). What changed
  // is appended to `changed` when given.
  // `node` is the index of the broker node the message came from.
  bool Apply(std::string_view topic, std::string_view payload,
             std::vector<PresenceTransition>* changed = nullptr, int64_t now_ms = 0,
             std::size_t node = 0);
  // chatd's connection to `node` is gone: whoever it reported is taken
  // offline there, dated `now_ms` (the node may be dead; if not, its
  // snapshot after the reconnect brings them back).
  void NodeLost(std::size_t node, std::vector<PresenceTransition>* changed, int64_t now_ms);
  bool IsOnline(const std::string& user) const;
  // The node, other than `node`, where `device` of `user` is connected too,
  // if any (the same client id on two nodes: the older must go).
  std::optional<std::size_t> OtherNodeOf(const std::string& user, const std::string& device,
                                         std::size_t node) const;
  // Whether `device` of `user` has a live connection: named by a change, or
  // by a snapshot's state (a plugin that names no devices there leaves the
  // user's devices unknown: then false, so that a push is sent rather than
  // missed).
  bool IsDeviceConnected(const std::string& user, const std::string& device) const;
  // True once, on every node, the states of the last page of a snapshot
  // have all been applied (or the last mark came from a plugin that does not
  // count them): from then on the view holds every user online, not only
  // those whose changes came since chatd started.
  bool synced() const;
  // Whether `topic` is one that Apply understands.
  static bool Handles(std::string_view topic);

 private:
  struct Online {
    int64_t boot = 0;
    int64_t devices = 0;
    std::set<std::string, std::less<>> device_ids;  // those known by name
  };
  // What one broker node reported.
  struct Node {
    int64_t current_boot = -1;
    int64_t last_page_left = -1;  // states of the last page still to come; -1: none expected
    bool synced = false;
    std::map<std::string, Online, std::less<>> online;  // online users -> their boot

    // Whether `user` is online in this node's current run.
    const Online* Find(std::string_view user) const;
  };

  // Apply on one node; transitions count that node's devices only.
  bool ApplyToNode(Node& node, std::string_view topic, std::string_view payload,
                   std::vector<PresenceTransition>* changed, int64_t now_ms);
  // Sets `devices` of changed[first..] to the user's devices on every node.
  void CountOnAllNodes(std::vector<PresenceTransition>* changed, std::size_t first) const;

  mutable std::mutex mutex_;
  std::vector<Node> nodes_;
};

}  // namespace chat
