// What a throughput or latency run drives: a path from sending devices to
// recipients (raw broker, no-op relay, chat 1:1, chat group) behind one
// interface, so that every figure is measured by the same runner code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "mqtt_client.h"
#include "payload.h"

namespace bench {

// Receives a path's outcomes on the EventLoop's thread.
class TrafficSink {
 public:
  virtual ~TrafficSink() = default;
  // The sender may send once more: for chat the `accepted` event (never the
  // PUBACK, see DESIGN.md), for the relay its ack, for raw paths the
  // delivery of the last copy.
  virtual void OnConfirmed(int sender) = 0;
  // One copy reached one recipient device.
  virtual void OnDelivered(int sender, const BodyMarker& marker) = 0;
  // Something the run must report (an error event, a malformed delivery).
  virtual void OnPathError(std::string_view what) = 0;
};

// Ignores everything: the sink of a path between runs.
class NullSink : public TrafficSink {
 public:
  void OnConfirmed(int) override {}
  void OnDelivered(int, const BodyMarker&) override {}
  void OnPathError(std::string_view) override {}
  static NullSink& Instance() {
    static NullSink sink;
    return sink;
  }
};

struct PathConfig {
  int port = 0;
  std::size_t message_bytes = 250;  // MQTT payload of each publish by a sender
};

// A path owns its MQTT clients (and any helper process); it borrows the
// EventLoop. Send() may be called from inside the sink's callbacks.
class TrafficPath : public MqttHandler {
 public:
  virtual std::string name() const = 0;
  virtual int senders() const = 0;
  // Deliveries per message (1 for 1:1, members - 1 for a group).
  virtual int copies_per_message() const = 0;
  // Connects every client and prepares conversations. Returns "" when the
  // path is ready, else the reason it is not available.
  virtual std::string Setup(int64_t deadline_ns) = 0;
  virtual void Send(int sender, const BodyMarker& marker) = 0;
  // nullptr: outcomes are dropped (late arrivals between runs).
  void set_sink(TrafficSink* sink) { sink_ = sink ? sink : &NullSink::Instance(); }

 protected:
  TrafficSink* sink_ = &NullSink::Instance();
};

// Points a path at a sink for its lifetime, and back at none after.
class SinkScope {
 public:
  SinkScope(TrafficPath& path, TrafficSink& sink) : path_(path) { path_.set_sink(&sink); }
  ~SinkScope() { path_.set_sink(nullptr); }
  SinkScope(const SinkScope&) = delete;
  SinkScope& operator=(const SinkScope&) = delete;

 private:
  TrafficPath& path_;
};

// For paths that confirm a message once all its copies arrived: counts one
// copy of `seq` and returns true when it is the last of `copies`.
inline bool CountCopy(std::unordered_map<uint64_t, int>& seen, uint64_t seq, int copies) {
  int& n = seen[seq];
  if (++n < copies) return false;
  seen.erase(seq);
  return true;
}

}  // namespace bench
