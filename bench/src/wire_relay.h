// A loopback TCP relay that counts what devices and the broker say to each
// other: bytes per direction, MQTT packets by type (from the fixed header),
// and copies of marked message bodies, per MQTT client id.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace bench {

// MQTT control packet types (the high nibble of the first byte).
enum MqttPacketType : int {
  kConnect = 1,
  kConnack = 2,
  kPublish = 3,
  kPuback = 4,
  kSubscribe = 8,
  kSuback = 9,
  kPingreq = 12,
  kPingresp = 13,
  kDisconnect = 14,
};
// "PUBLISH", "PUBACK", ...; "type 7" for the rest.
std::string MqttPacketName(int type);

struct PacketTally {
  uint64_t packets = 0;
  uint64_t bytes = 0;  // fixed header included
};

// One direction of one or more connections.
struct DirectionTally {
  uint64_t bytes = 0;                     // everything relayed
  std::array<PacketTally, 16> by_type{};  // complete packets, by MqttPacketType
  uint64_t body_copies = 0;               // occurrences of the body marker
};

// Device -> broker (`up`) and broker -> device (`down`).
struct LegTally {
  DirectionTally up, down;
  uint64_t connections = 0;  // accepted connections counted here
  uint64_t bytes() const { return up.bytes + down.bytes; }
};

LegTally& operator+=(LegTally& a, const LegTally& b);
// a - b, field by field (b an earlier snapshot of a).
LegTally Minus(const LegTally& a, const LegTally& b);

// Tallies by MQTT client id (from each connection's CONNECT; "?" before it).
using WireTallies = std::map<std::string, LegTally>;
LegTally SumOf(const WireTallies& tallies);

// Listens on a free port of 127.0.0.1 and relays every accepted connection to
// 127.0.0.1:`broker_port`, with TCP_NODELAY on both sockets, counting as it
// goes. `body_marker` (may be empty) is searched in the byte stream of each
// direction, across reads, to count how many message bodies crossed.
// Threads: one relay thread owns the sockets; Snapshot may be called from
// any thread. The destructor stops the thread and closes every socket.
class WireRelay {
 public:
  WireRelay(int broker_port, std::string body_marker);
  ~WireRelay();
  WireRelay(const WireRelay&) = delete;
  WireRelay& operator=(const WireRelay&) = delete;

  int port() const { return port_; }
  // Totals so far, closed connections included.
  WireTallies Snapshot() const;

 private:
  struct Pipe;
  struct Connection;
  void Run();
  void Accept();
  // Reads from `pipe`'s source when its buffer is empty and writes what is
  // buffered on; false when the connection failed.
  bool Pump(Connection& c, Pipe& pipe, bool readable);
  // Tallies bytes just read: packets by type, the client id, marker copies.
  void Count(Connection& c, Pipe& pipe, std::string_view chunk);

  int broker_port_;
  std::string marker_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  // The relay thread changes both lists and every tally under mu_ (it reads
  // them without); Snapshot reads them under mu_.
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> open_;
  std::vector<std::unique_ptr<Connection>> closed_;
  std::thread thread_;
};

}  // namespace bench
