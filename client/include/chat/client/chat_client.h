// A device's connection to the chat backend: connect, send, create
// conversations, receive events (docs/PROTOCOL.md).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "chat/client/commands.h"
#include "chat/client/event.h"
#include "chat/client/event_queue.h"
#include "chat/client/pending_replies.h"
#include "chat/client/status.h"
#include "chat/client/transport.h"

namespace chat::client {

struct ClientOptions {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string user{}, device{}, token{};  // initialized, so designated initializers may omit them
  bool clean_session = false;             // false: the broker queues inbox events while away
  int keepalive_s = 30;
  std::size_t max_queued_events = 10000;  // NextEvent backlog; oldest dropped beyond
};

// The result of Send: the cmid used (generated when the request had none).
struct SendResult {
  Status status;
  std::string cmid;
};

// The result of a request such as CreateDirect: the req_id used.
struct RequestResult {
  Status status;
  std::string req_id;
};

// Connects as {user}:{device} and subscribes QoS 1 to chat/inbox/{user}/# and
// chat/dev/{user}/{device}. Every received event is parsed on the transport's
// receive thread, matched against the pending sends and requests, and queued
// for NextEvent; the receive thread does nothing else, so it never blocks.
//
// Contract: a broker PUBACK is not acceptance. Send returns once the command
// is handed to MQTT; WaitForAcceptance returns the backend's `accepted` or
// `error` for that cmid. This version does not reconnect or resend; a lost
// connection shows up as an event of type "connection.lost".
//
// Threads: Connect and Disconnect from one application thread; Send,
// CreateDirect, the waits and NextEvent may then be called from any threads.
class ChatClient {
 public:
  // `transport` defaults to Paho MQTT C++; tests pass a fake.
  explicit ChatClient(ClientOptions options, std::unique_ptr<Transport> transport = nullptr);
  ~ChatClient();
  ChatClient(const ChatClient&) = delete;
  ChatClient& operator=(const ChatClient&) = delete;

  ConnectResult Connect(std::chrono::milliseconds timeout);
  void Disconnect(std::chrono::milliseconds timeout = std::chrono::seconds(2));
  bool IsConnected() const;

  // Publishes a `send`. The request is validated first (kInvalidArgument).
  SendResult Send(SendRequest request);
  // Publishes `conv.create` with `with`; wait for the `conv` reply with WaitForReply.
  RequestResult CreateDirect(std::string_view with, std::optional<std::string> req_id = {});

  // The `accepted` or `error` answering the send with `cmid`; nullopt on timeout.
  std::optional<Event> WaitForAcceptance(std::string_view cmid, std::chrono::milliseconds timeout);
  // The reply (`conv`, `error`, ...) to the request with `req_id`; nullopt on timeout.
  std::optional<Event> WaitForReply(std::string_view req_id, std::chrono::milliseconds timeout);

  // The next received event (every event, answers to waits included), or
  // nullopt when none arrives within `timeout`.
  std::optional<Event> NextEvent(std::chrono::milliseconds timeout);
  uint64_t dropped_events() const { return events_.dropped(); }

  const ClientOptions& options() const { return options_; }

 private:
  void OnMessage(std::string topic, std::string payload);
  void OnConnectionLost(std::string cause);
  Status Publish(const std::string& payload);

  const ClientOptions options_;
  const std::string up_topic_;
  PendingReplies pending_;
  EventQueue events_;
  std::unique_ptr<Transport> transport_;  // last: destroyed first, stopping callbacks
};

}  // namespace chat::client
