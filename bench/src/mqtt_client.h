// One MQTT 3.1.1 connection on libmosquitto, driven by an EventLoop (never by
// libmosquitto's own threads): the load generator's device, publisher or
// subscriber.
#pragma once

#include <mosquitto.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

class EventLoop;
class MqttClient;

// Receives a client's events, on the thread running its EventLoop.
class MqttHandler {
 public:
  virtual ~MqttHandler() = default;
  // Every subscription of the spec was granted (or there were none).
  virtual void OnReady(MqttClient&) {}
  virtual void OnMessage(MqttClient&, std::string_view topic, std::string_view payload) = 0;
};

struct ClientSpec {
  std::string client_id;
  std::string username;  // empty: none sent
  std::string password;  // empty: none sent
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string bind_address;  // source address, e.g. 127.0.3.1; empty: the kernel's choice
  int keepalive_s = 60;
  bool clean_session = false;              // as PROTOCOL.md recommends for devices
  std::vector<std::string> subscriptions;  // QoS 1, sent in one SUBSCRIBE after CONNACK
};

// A client without credentials (the raw broker baselines).
ClientSpec AnonymousSpec(std::string client_id, int port,
                         std::vector<std::string> subscriptions = {});
// A chat device: client id {u}:{d}, username {u}, its token as password,
// subscribed to chat/inbox/{u}/# and chat/dev/{u}/{d}.
ClientSpec DeviceSpec(const std::string& user, const std::string& device, const std::string& token,
                      int port);

// Owns a `struct mosquitto`. States: kIdle -> kConnecting -> kSubscribing ->
// kReady, or kRefused (CONNACK != 0 or a refused subscription) / kLost.
// Destroying a client removes it from its EventLoop. Not thread-safe: use
// from the EventLoop's thread only.
class MqttClient {
 public:
  enum class State { kIdle, kConnecting, kSubscribing, kReady, kRefused, kLost };

  MqttClient(ClientSpec spec, MqttHandler& handler, int tag);
  ~MqttClient();
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  // Starts a non-blocking connect; returns a MOSQ_ERR_* code.
  int StartConnect();
  // QoS 1, not retained. Returns a MOSQ_ERR_* code. Outside the client's own
  // callbacks, call EventLoop::MarkDirty afterwards.
  int Publish(const std::string& topic, std::string_view payload);
  // Writes a DISCONNECT at once (outside the client's callbacks only): a
  // clean end, which the broker answers by closing the connection. Returns a
  // MOSQ_ERR_* code. Destroying a client without it ends the connection
  // uncleanly (the socket closes, no DISCONNECT).
  int Disconnect();

  State state() const { return state_; }
  int tag() const { return tag_; }
  const ClientSpec& spec() const { return spec_; }
  int connack_code() const { return connack_code_; }
  int64_t connack_ns() const { return connack_ns_; }
  int64_t ready_ns() const { return ready_ns_; }

  // For the EventLoop.
  int fd() const;
  bool WantWrite() const;
  int LoopRead();
  int LoopWrite();
  void LoopMisc();
  void MarkLost() { state_ = State::kLost; }
  EventLoop* loop = nullptr;  // set while an EventLoop watches this client
  bool watched = false;
  bool write_armed = false;
  bool dirty = false;  // in the loop's flush list

 private:
  static void OnConnect(mosquitto*, void* self, int rc);
  static void OnSubscribe(mosquitto*, void* self, int mid, int count, const int* granted);
  static void OnMessage(mosquitto*, void* self, const mosquitto_message* message);
  static void OnDisconnect(mosquitto*, void* self, int rc);

  struct Deleter {
    void operator()(mosquitto* m) const { mosquitto_destroy(m); }
  };

  ClientSpec spec_;
  MqttHandler& handler_;
  int tag_;
  std::unique_ptr<mosquitto, Deleter> mosq_;
  State state_ = State::kIdle;
  int connack_code_ = -1;
  int64_t connack_ns_ = 0;
  int64_t ready_ns_ = 0;
};

// Calls mosquitto_lib_init/cleanup; one instance in main().
class MosquittoLibrary {
 public:
  MosquittoLibrary() { mosquitto_lib_init(); }
  ~MosquittoLibrary() { mosquitto_lib_cleanup(); }
  MosquittoLibrary(const MosquittoLibrary&) = delete;
  MosquittoLibrary& operator=(const MosquittoLibrary&) = delete;
};

}  // namespace bench
