// An epoll loop that drives many MqttClients on one thread, in place of
// libmosquitto's per-client select() loop, so that tens of thousands of
// connections cost one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "mqtt_client.h"

namespace bench {

// Owns the epoll descriptor; borrows the clients, which must outlive their
// registration (Forget() or the loop's destruction). One thread only.
class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // StartConnect()s the client and watches its socket. False (and the client
  // is kLost) when the connect could not even start.
  bool Connect(MqttClient& client);
  void Forget(MqttClient& client);

  // Waits up to `timeout_ns` for socket events, handles them (callbacks run
  // here), then flushes every client that has output queued.
  void RunOnce(int64_t timeout_ns);
  // Runs until `done()` or the deadline (MonotonicNs); returns done().
  bool RunUntil(const std::function<bool()>& done, int64_t deadline_ns);
  // A drain: runs until `done()`, or until `progress()` (a count that grows
  // while copies still arrive) has not grown for `stall_ns`, or the deadline
  // passes; returns done(). A slow machine still delivering is waited for,
  // a path that has lost something is not waited for in vain.
  bool RunWhileProgressing(const std::function<bool()>& done,
                           const std::function<uint64_t()>& progress, int64_t stall_ns,
                           int64_t deadline_ns);

  // Makes sure output queued on `client` outside a callback goes out.
  void MarkDirty(MqttClient& client);
  std::size_t lost() const { return lost_; }

 private:
  void Flush(MqttClient& client);
  void FlushDirty();
  void HandleLoss(MqttClient& client);
  void Rearm(MqttClient& client, bool want_write);

  int epoll_fd_ = -1;
  std::vector<MqttClient*> watched_;
  std::vector<MqttClient*> dirty_;
  int64_t next_misc_ns_ = 0;
  std::size_t lost_ = 0;
};

// Connects `clients` with at most `max_pending` connects not yet ready at
// once, and runs the loop until every one is ready, refused or lost, or the
// deadline passes. Returns how many are ready.
std::size_t ConnectAll(EventLoop& loop, const std::vector<MqttClient*>& clients,
                       std::size_t max_pending, int64_t deadline_ns);

}  // namespace bench
