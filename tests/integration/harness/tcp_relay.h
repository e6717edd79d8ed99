// A loopback TCP relay between clients and the broker, for tests of a bad
// network: it forwards bytes both ways, counts them, and cuts connections on
// command or when a client sends a given MQTT packet type.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace chat::testing {

// MQTT 3.1.1 control packet types (the high nibble of the first byte).
inline constexpr int kMqttSubscribe = 8;

// Listens on a free 127.0.0.1 port and relays each accepted connection to
// 127.0.0.1:`upstream_port`. A cut closes both sides of a connection, so the
// client sees the network fail and the broker a client vanish.
//
// Threads: one relay thread owns the sockets (poll, read, blocking write:
// enough for a test's traffic on loopback); the methods may be called from
// any thread and take effect at the relay thread's next turn, promptly.
class TcpRelay {
 public:
  explicit TcpRelay(int upstream_port);
  ~TcpRelay();
  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;

  int port() const { return port_; }

  // The next `connections` connections whose client sends a packet of
  // `packet_type` (e.g. kMqttSubscribe) are cut at that packet, which is
  // not forwarded. Replaces an earlier rule.
  void CutOnClientPacket(int packet_type, int connections);
  // Cuts every connection open now.
  void CutAll();
  // While paused, nothing is read from the broker's side: its socket buffers
  // fill and the broker queues, then drops, what it sends to these clients
  // (a phone on a stalled network). Client -> broker still flows.
  void PauseDownstream(bool paused);

  using TimePoint = std::chrono::steady_clock::time_point;
  // When each connection was accepted, and when each was cut by CutOnClientPacket.
  std::vector<TimePoint> accepted_at() const;
  std::vector<TimePoint> cut_on_packet_at() const;
  uint64_t bytes_up() const { return bytes_up_.load(); }      // client -> upstream
  uint64_t bytes_down() const { return bytes_down_.load(); }  // upstream -> client

 private:
  struct Connection;

  void Run();
  void Wake();

  const int upstream_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  int wake_[2] = {-1, -1};  // a pipe: a byte written wakes the relay thread

  mutable std::mutex mu_;
  int cut_type_ = -1;                   // guarded by mu_
  int cuts_left_ = 0;                   // guarded by mu_
  bool cut_all_ = false;                // guarded by mu_
  bool downstream_paused_ = false;      // guarded by mu_
  bool stopping_ = false;               // guarded by mu_
  std::vector<TimePoint> accepted_at_;  // guarded by mu_
  std::vector<TimePoint> cut_at_;       // guarded by mu_
  std::atomic<uint64_t> bytes_up_{0};
  std::atomic<uint64_t> bytes_down_{0};
  std::thread thread_;  // last: starts once the rest exists
};

}  // namespace chat::testing
