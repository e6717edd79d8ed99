// A Transport for tests: records what the client asks of MQTT and lets the
// test play the broker (deliver payloads, drop the connection, refuse).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "chat/client/transport.h"

namespace chat::client::testing {

struct Published {
  std::string topic;
  std::string payload;
  int qos;
};

// Thread-safe: the client calls it from its worker and application threads,
// the test from its own. Handlers run on the thread that calls Deliver/Lose.
class FakeTransport : public Transport {
 public:
  using milliseconds = std::chrono::milliseconds;

  void SetHandlers(MessageHandler on_message, LostHandler on_lost) override {
    std::lock_guard lock(mu_);
    on_message_ = std::move(on_message);
    on_lost_ = std::move(on_lost);
  }
  ConnectResult Connect(const ConnectParams& params, milliseconds) override {
    auto started = std::chrono::steady_clock::now();
    std::unique_lock lock(mu_);
    connect_starts_.push_back(started);
    params_ = params;
    ++connects_;
    ConnectResult result = connect_result;
    if (failures_left_ > 0) {
      --failures_left_;
      result = ConnectResult::Failed(ConnectResult::Outcome::kUnreachable, "broker down");
      milliseconds delay = slow_failure;
      lock.unlock();
      std::this_thread::sleep_for(delay);  // a SYN that goes unanswered
      lock.lock();
    }
    connected_ = result.ok();
    changed_.notify_all();
    return result;
  }
  Status Subscribe(const std::vector<std::string>& topics, int qos, milliseconds) override {
    std::lock_guard lock(mu_);
    subscribed_ = topics;
    subscribed_qos_ = qos;
    ++subscribes_;
    if (subscribe_losses_left_ > 0) {
      --subscribe_losses_left_;
      connected_ = false;
      return Status::Error(Status::Code::kNotConnected, "connection lost before SUBACK");
    }
    return subscribe_status;
  }
  Status Publish(const std::string& topic, const std::string& payload, int qos) override {
    std::function<void(const std::string&)> hook;
    {
      std::lock_guard lock(mu_);
      if (!publish_status.ok()) return publish_status;
      if (!connected_) return Status::Error(Status::Code::kNotConnected, "not connected");
      published_.push_back({topic, payload, qos});
      hook = on_publish;
      changed_.notify_all();
    }
    if (hook) hook(payload);
    return Status::Ok();
  }
  void Disconnect(milliseconds) override {
    std::lock_guard lock(mu_);
    connected_ = false;
  }
  bool IsConnected() const override {
    std::lock_guard lock(mu_);
    return connected_;
  }

  // The broker delivering a payload, on the caller's thread (as Paho's on its own).
  void Deliver(const std::string& topic, const std::string& payload) {
    MessageHandler handler;
    {
      std::lock_guard lock(mu_);
      handler = on_message_;
    }
    handler(topic, payload);
  }
  // The connection breaking.
  void Lose(const std::string& cause) {
    LostHandler handler;
    {
      std::lock_guard lock(mu_);
      connected_ = false;
      handler = on_lost_;
    }
    handler(cause);
  }
  void FailNextConnects(int n) {
    std::lock_guard lock(mu_);
    failures_left_ = n;
  }
  // The next `n` connections are accepted (CONNACK) and lost before the SUBACK.
  void LoseNextSubscribes(int n) {
    std::lock_guard lock(mu_);
    subscribe_losses_left_ = n;
  }
  // When each Connect was called, in order.
  std::vector<std::chrono::steady_clock::time_point> connect_starts() const {
    std::lock_guard lock(mu_);
    return connect_starts_;
  }

  ConnectParams params() const {
    std::lock_guard lock(mu_);
    return params_;
  }
  std::vector<std::string> subscribed() const {
    std::lock_guard lock(mu_);
    return subscribed_;
  }
  int subscribed_qos() const {
    std::lock_guard lock(mu_);
    return subscribed_qos_;
  }
  int connects() const {
    std::lock_guard lock(mu_);
    return connects_;
  }
  int subscribes() const {
    std::lock_guard lock(mu_);
    return subscribes_;
  }
  std::vector<Published> published() const {
    std::lock_guard lock(mu_);
    return published_;
  }
  void ClearPublished() {
    std::lock_guard lock(mu_);
    published_.clear();
  }
  // Published payloads whose "type" is `type`, in order.
  std::vector<std::string> PayloadsOfType(const std::string& type) const {
    std::vector<std::string> out;
    for (const Published& p : published()) {
      if (p.payload.find("{\"type\":\"" + type + "\"") == 0 ||
          p.payload.find("[\"" + type + "\",") == 0) {  // the compact form
        out.push_back(p.payload);
      }
    }
    return out;
  }
  // Waits until `done()` (called under no lock) holds or `timeout` passes.
  bool WaitUntil(const std::function<bool()>& done, milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::unique_lock lock(mu_);
      changed_.wait_for(lock, milliseconds(10));
    }
    return true;
  }

  // Set before use (not guarded).
  ConnectResult connect_result;
  Status subscribe_status;
  Status publish_status;
  std::function<void(const std::string&)> on_publish;  // e.g. a fake chatd answering at once
  milliseconds slow_failure{0};                        // how long a failing Connect takes

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  MessageHandler on_message_;
  LostHandler on_lost_;
  ConnectParams params_;
  std::vector<std::string> subscribed_;
  int subscribed_qos_ = -1;
  int connects_ = 0;
  int subscribes_ = 0;
  int failures_left_ = 0;
  int subscribe_losses_left_ = 0;
  std::vector<std::chrono::steady_clock::time_point> connect_starts_;
  std::vector<Published> published_;
  bool connected_ = false;
};

}  // namespace chat::client::testing
