// This is an internal header of the client library, not for apps.
// The client's worker thread: the connection's life (connect, loss,
// reconnect with backoff), the receive path and the saving of cursors.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "backoff.h"
#include "chat/client/chat_client.h"
#include "chat/database.h"
#include "cursor_store.h"
#include "delivery_tracker.h"
#include "outbox_sender.h"
#include "presence_renewal.h"
#include "push_renewal.h"
#include "receiver.h"

namespace chat::client {

// Runs tasks posted by other threads (received payloads, connection losses,
// Connect/Disconnect calls) one at a time on its own thread, and between
// them a tick that reconnects when due, pumps the outbox, sends due sync
// requests, reports `delivered` and saves cursors. A task that throws is
// reported to the application as a `client.error` event; the thread goes on.
//
// A reply belongs to the connection its request was sent on: when that
// connection ends, the open requests are answered with `connection.lost`
// (PendingReplies::FailRequests) and the sync in flight is forgotten, and a
// reply to none of the requests open now is dropped before the Receiver sees
// it. After Disconnect nothing received reaches the Receiver until the next
// Connect, so the events queued when Disconnect returns are the last.
//
// Threads: every member is touched only by the worker thread, except the
// task queue (its own mutex) and the Receiver's list accessors. The
// borrowed objects are thread-safe or, like the transport's Connect, used
// only here. Stop() must run before the transport is destroyed.
class ClientWorker {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kReadySpread{2000};

  struct Borrowed {
    const ClientOptions& options;
    Transport& transport;
    OutboxSender& outbox;
    PendingReplies& pending;
    EventQueue& events;
    DeliveryTracker& delivered;
    const PresenceRenewal& presence;
    PushRenewal& push;
  };

  // `cursor_db` is a connection to the state file, used for cursors only.
  ClientWorker(Borrowed borrowed, Database cursor_db);
  ~ClientWorker();
  ClientWorker(const ClientWorker&) = delete;
  ClientWorker& operator=(const ClientWorker&) = delete;

  // Run on the worker; the caller waits for the result.
  ConnectResult Connect(std::chrono::milliseconds timeout);
  void Disconnect(std::chrono::milliseconds timeout);
  // Disconnects, saves the cursors and ends the thread. Idempotent.
  void Stop();

  void RequestSync();
  // From the transport's thread: never blocks on the worker.
  void OnMessage(std::string topic, std::string payload);
  void OnLost(std::string cause);

  Receiver& receiver() { return receiver_; }

 private:
  using Task = std::function<void()>;

  void Post(Task task);
  void Run();
  void RunGuarded(const Task& task);
  Clock::time_point NextWake(Clock::time_point now) const;
  void Tick(Clock::time_point now);

  ConnectResult ConnectNow(std::chrono::milliseconds timeout);
  ConnectResult ConnectAndSubscribe(std::chrono::milliseconds timeout);
  void TryReconnect(Clock::time_point now);
  void GoOnline(Clock::time_point now, bool restored);
  void GoOffline(Clock::time_point now, const std::string* lost_cause);
  // Asks again for the presence watch and away the app set (PresenceRenewal)
  // and for the push registration not yet answered (PushRenewal): at once
  // after a connect, within kReadySpread after `ready`.
  void Renew();
  void ScheduleRenewalAfterReady(Clock::time_point now);
  // A reply to a request that is not open on this connection (see above).
  bool IsStaleReply(const Event& event) const;
  void SaveCursors(Clock::time_point now, bool force);
  // Publishes `delivered` for what the app took, once per delivered_interval
  // unless `force`.
  void ReportDelivered(Clock::time_point now, bool force);
  Status Publish(const std::string& payload);

  const ClientOptions& options_;
  Transport& transport_;
  OutboxSender& outbox_;
  PendingReplies& pending_;
  EventQueue& events_;
  DeliveryTracker& delivered_;
  const PresenceRenewal& presence_;
  PushRenewal& push_;
  const std::string up_topic_;
  Database cursor_db_;
  CursorStore cursor_store_;
  Receiver receiver_;
  Backoff reconnect_;
  bool armed_ = false;      // keep the connection up (after a successful Connect)
  bool connected_ = false;  // as far as the worker knows
  bool stopping_ = false;
  Clock::time_point reconnect_at_{};
  Clock::time_point last_save_{};
  Clock::time_point last_delivered_report_{};
  std::optional<Clock::time_point> renewal_at_;
  std::mt19937_64 rng_{std::random_device{}()};

  std::mutex tasks_mu_;
  std::condition_variable tasks_cv_;
  std::deque<Task> tasks_;  // guarded by tasks_mu_
  std::thread thread_;      // last: starts once everything above exists
};

}  // namespace chat::client
