// A device's connection to the chat backend (docs/PROTOCOL.md) that does
// what every app must do right: an outbox that survives restarts, reconnect
// with backoff, resend with the same cmid, dedupe and ordered delivery by
// (conv, seq), gap filling and sync on every connect.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/client/backoff.h"
#include "chat/client/commands.h"
#include "chat/client/delivery_tracker.h"
#include "chat/client/event.h"
#include "chat/client/event_queue.h"
#include "chat/client/outbox.h"
#include "chat/client/pending_replies.h"
#include "chat/client/status.h"
#include "chat/client/sync_driver.h"
#include "chat/client/transport.h"

namespace chat::client {

class OutboxSender;
class ClientWorker;

struct ClientOptions {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string user{}, device{}, token{};  // initialized, so designated initializers may omit them
  bool clean_session = false;             // false: the broker queues inbox events while away
  int keepalive_s = 30;
  std::size_t max_queued_events = 10000;  // messages waiting for NextEvent before backpressure
  // SQLite file holding the outbox and the cursors; empty: in memory, lost
  // at exit. One file per user:device (the file records its owner).
  std::string state_path{};
  std::chrono::milliseconds accept_timeout{10000};   // resend a send unanswered this long
  std::size_t send_window = 100;                     // sends published and unanswered at once
  std::chrono::milliseconds connect_timeout{10000};  // each automatic reconnect attempt
  BackoffPolicy reconnect{};                         // delays between reconnect attempts
  SyncPolicy sync{};
  int sync_page_limit = 1000;  // `limit` of each sync request (1..5000)
  // Send `delivered` for the highest seq of each conversation the app took.
  bool auto_delivered = true;
  // The broker's payload limit: a send encoding to more is refused by Send.
  std::size_t max_payload_bytes = 65536;
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

// Contract:
//  - Send stores the message in the outbox (the state file) and returns; it
//    is published when connected, in order, and republished with the same
//    cmid after every reconnect and after `accept_timeout` without answer,
//    until its `accepted` (or a non-retryable `error`) arrives. A new
//    ChatClient on the same state file resends what an earlier one left.
//    A broker PUBACK is not acceptance: WaitForAcceptance returns the
//    backend's `accepted` or `error` for a cmid.
//  - NextEvent yields each conversation's messages (msg, accepted, system
//    messages) once, in seq order, without gaps; gaps are filled by `sync`,
//    and a sync round runs on every connect. The highest seq the app has
//    taken per conversation is saved in the state file (about every 200 ms
//    and at the end), so a restart resumes there (at-least-once across a
//    crash, exactly once otherwise).
//  - After a successful Connect the library keeps the connection: when it
//    is lost (`connection.lost` event) it reconnects with exponential backoff
//    and full jitter, resubscribes, resends the outbox, resyncs and emits
//    `connection.restored`, until Disconnect.
//  - Requests (groups, history, receipts) are published at once and fail
//    with kNotConnected while offline; their replies come to WaitForReply.
//
// Threads: Paho's thread only hands received payloads to the client's
// worker thread, which owns the connection, the sequencing and sync, and
// the cursors. Every public method may be called from any application
// thread; Connect and Disconnect run on the worker and wait for it (at
// most behind one reconnect attempt, `connect_timeout`).
// The constructor throws StoreFailure when the state file cannot be opened
// or belongs to another user:device.
class ChatClient {
 public:
  // `transport` defaults to Paho MQTT C++; tests pass a fake.
  explicit ChatClient(ClientOptions options, std::unique_ptr<Transport> transport = nullptr);
  ~ChatClient();
  ChatClient(const ChatClient&) = delete;
  ChatClient& operator=(const ChatClient&) = delete;

  // One attempt to connect and subscribe; on success, stays connected (see above).
  ConnectResult Connect(std::chrono::milliseconds timeout);
  // Disconnects and stops reconnecting; the outbox and cursors stay saved.
  void Disconnect(std::chrono::milliseconds timeout = std::chrono::seconds(2));
  bool IsConnected() const;

  // Queues a `send` (validated first: kInvalidArgument; kFailed if it cannot be stored).
  SendResult Send(SendRequest request);
  // Messages in the outbox, in order (sent and not yet answered, or not yet sent).
  std::vector<OutboxEntry> PendingSends() const;

  // Requests answered by a `conv` reply (or an `error`), see PROTOCOL.md section 5.
  RequestResult CreateDirect(std::string_view with, std::optional<std::string> req_id = {});
  RequestResult CreateGroup(std::string_view title, const std::vector<std::string>& members,
                            std::optional<std::string> req_id = {});
  RequestResult AddMembers(std::string_view conv, const std::vector<std::string>& users,
                           std::optional<std::string> req_id = {});
  RequestResult RemoveMembers(std::string_view conv, const std::vector<std::string>& users,
                              std::optional<std::string> req_id = {});
  RequestResult LeaveGroup(std::string_view conv, std::optional<std::string> req_id = {});
  RequestResult SetRole(std::string_view conv, std::string_view user, std::string_view role,
                        std::optional<std::string> req_id = {});
  // A `history` page: messages with seq < before (0: up to the last), newest
  // `limit` (0: the server's default). The reply bypasses ordering and dedupe.
  RequestResult History(std::string_view conv, int64_t before = 0, int limit = 0,
                        std::optional<std::string> req_id = {});
  // Who has read and received message `seq` (a `receipts` reply).
  RequestResult Receipts(std::string_view conv, int64_t seq,
                         std::optional<std::string> req_id = {});

  // Commands without a reply. MarkRead also updates Conversations().
  Status MarkDelivered(std::string_view conv, int64_t seq);
  Status MarkRead(std::string_view conv, int64_t seq);
  Status SendTyping(std::string_view conv);

  // Starts a sync round now (one runs on every connect anyway); its end is a
  // local `sync` event listing the conversations.
  void Sync();
  // The conversation list from the last sync, kept up to date by events.
  std::vector<ConversationSummary> Conversations() const;

  // The `accepted` or `error` answering the send with `cmid`; nullopt on timeout.
  std::optional<Event> WaitForAcceptance(std::string_view cmid, std::chrono::milliseconds timeout);
  // The reply (`conv`, `history`, `error`, ...) to the request with `req_id`; nullopt on timeout.
  std::optional<Event> WaitForReply(std::string_view req_id, std::chrono::milliseconds timeout);

  // The next event (messages in order, replies, receipts, typing, local
  // events), or nullopt when none arrives within `timeout`.
  std::optional<Event> NextEvent(std::chrono::milliseconds timeout);
  // Events other than messages dropped because the app fell behind.
  uint64_t dropped_events() const { return events_.dropped(); }

  const ClientOptions& options() const { return options_; }

 private:
  RequestResult Request(std::optional<std::string> req_id, const Status& valid,
                        const std::function<std::string(const std::string&)>& encode);
  Status Publish(const std::string& payload);

  const ClientOptions options_;
  const std::string up_topic_;
  PendingReplies pending_;
  EventQueue events_;
  DeliveryTracker delivered_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<OutboxSender> outbox_;
  std::unique_ptr<ClientWorker> worker_;  // last: its thread starts once the rest exists
};

}  // namespace chat::client
