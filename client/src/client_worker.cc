// The worker thread: connection life, receive path, cursor saving.
#include "client_worker.h"

#include <algorithm>
#include <future>

#include "chat/protocol.h"
#include "chat/topics.h"
#include "command_encoding.h"

namespace chat::client {
namespace {

// A connection that CONNACKed and then failed to subscribe.
ConnectResult SubscribeFailure(const Status& subscribed) {
  switch (subscribed.code()) {
    case Status::Code::kTimedOut:
      return ConnectResult::Failed(ConnectResult::Outcome::kTimedOut, subscribed.message());
    case Status::Code::kNotConnected:  // lost before the SUBACK: retried after the backoff
      return ConnectResult::Failed(ConnectResult::Outcome::kUnreachable,
                                   "connection lost before SUBACK: " + subscribed.message());
    default:
      return ConnectResult::Failed(ConnectResult::Outcome::kSubscriptionRefused,
                                   subscribed.message());
  }
}

using std::chrono::milliseconds;

constexpr milliseconds kMaxIdle(250);       // the tick runs at least this often
constexpr milliseconds kMinIdle(20);        // and at most this often when something is overdue
constexpr milliseconds kSaveInterval(200);  // cursors reach the state file this often at most

}  // namespace

ClientWorker::ClientWorker(Borrowed b, Database cursor_db)
    : options_(b.options),
      transport_(b.transport),
      outbox_(b.outbox),
      pending_(b.pending),
      events_(b.events),
      delivered_(b.delivered),
      presence_(b.presence),
      push_(b.push),
      up_topic_(UpTopic(options_.user, options_.device)),
      cursor_db_(std::move(cursor_db)),
      cursor_store_(cursor_db_),
      receiver_({options_.user, options_.device, options_.sync_page_limit, options_.sync},
                cursor_store_.LoadAll(), b.outbox, b.pending, b.events,
                [this](const std::string& payload) { return Publish(payload); }),
      reconnect_(options_.reconnect),
      thread_([this] { Run(); }) {}

ClientWorker::~ClientWorker() { Stop(); }

void ClientWorker::Post(Task task) {
  {
    std::lock_guard lock(tasks_mu_);
    tasks_.push_back(std::move(task));
  }
  tasks_cv_.notify_one();
}

ConnectResult ClientWorker::Connect(milliseconds timeout) {
  std::promise<ConnectResult> done;
  Post([&] {
    ConnectResult result;
    try {
      result = ConnectNow(timeout);
    } catch (const std::exception& e) {
      result = ConnectResult::Failed(ConnectResult::Outcome::kUnreachable, e.what());
    }
    done.set_value(std::move(result));
  });
  return done.get_future().get();
}

void ClientWorker::Disconnect(milliseconds timeout) {
  std::promise<void> done;
  Post([&] {
    armed_ = false;
    if (connected_) {
      ReportDelivered(Clock::now(), /*force=*/true);
      GoOffline(Clock::now(), nullptr);
    }
    transport_.Disconnect(timeout);
    done.set_value();
  });
  done.get_future().get();
}

void ClientWorker::Stop() {
  if (!thread_.joinable()) return;
  Disconnect(milliseconds(1000));
  Post([this] { stopping_ = true; });
  thread_.join();
}

void ClientWorker::RequestSync() {
  Post([this] { receiver_.RequestSync(); });
}

void ClientWorker::OnMessage(std::string topic, std::string payload) {
  Post([this, topic = std::move(topic), payload = std::move(payload)] {
    if (!armed_ && !connected_) return;  // after Disconnect: the app asked for no more
    Event event = ParseEvent(payload, topic);
    if (IsStaleReply(event)) return;  // its request failed with the connection it was sent on
    push_.OnEvent(event);
    bool chatd_back = event.Is(event_type::kReady);
    receiver_.OnEvent(std::move(event), Clock::now());
    if (chatd_back) ScheduleRenewalAfterReady(Clock::now());
  });
}

bool ClientWorker::IsStaleReply(const Event& event) const {
  return PendingReplies::IsRequestReply(event) && !pending_.IsOpen(event.req_id) &&
         !receiver_.AwaitsSync(event.req_id);
}

void ClientWorker::OnLost(std::string cause) {
  Post([this, cause = std::move(cause)] {
    // A report about an older connection is stale once a new one is up.
    if (!connected_ || transport_.IsConnected()) return;
    GoOffline(Clock::now(), &cause);
  });
}

void ClientWorker::Run() {
  while (!stopping_) {
    std::deque<Task> batch;
    Clock::time_point wake = NextWake(Clock::now());  // outside tasks_mu_: it takes other locks
    {
      std::unique_lock lock(tasks_mu_);
      tasks_cv_.wait_until(lock, wake, [this] { return !tasks_.empty(); });
      batch.swap(tasks_);
    }
    for (const Task& task : batch) RunGuarded(task);
    if (!stopping_) RunGuarded([this] { Tick(Clock::now()); });
  }
  RunGuarded([this] { SaveCursors(Clock::now(), /*force=*/true); });
}

void ClientWorker::RunGuarded(const Task& task) {
  try {
    task();
  } catch (const std::exception& e) {
    events_.Push(MakeLocalEvent(event_type::kClientError, e.what()), /*droppable=*/true);
  }
}

ClientWorker::Clock::time_point ClientWorker::NextWake(Clock::time_point now) const {
  Clock::time_point wake = now + kMaxIdle;
  if (armed_ && !connected_) wake = std::min(wake, reconnect_at_);
  if (connected_) {
    if (auto due = outbox_.NextDeadline()) wake = std::min(wake, *due);
    if (auto due = receiver_.NextDeadline()) wake = std::min(wake, *due);
    if (renewal_at_) wake = std::min(wake, *renewal_at_);
  }
  return std::max(wake, now + kMinIdle);
}

void ClientWorker::Tick(Clock::time_point now) {
  if (connected_ && !transport_.IsConnected()) {
    std::string cause = "the connection was closed";  // no loss report came (yet)
    GoOffline(now, &cause);
  }
  TryReconnect(now);
  if (connected_) {
    outbox_.Pump(now);
    receiver_.Poll(now);
    ReportDelivered(now, /*force=*/false);
    if (renewal_at_ && now >= *renewal_at_) Renew();
  }
  SaveCursors(now, /*force=*/false);
}

ConnectResult ClientWorker::ConnectNow(milliseconds timeout) {
  if (connected_ && transport_.IsConnected()) return ConnectResult::Connected();
  ConnectResult result = ConnectAndSubscribe(timeout);
  if (!result.ok()) return result;
  armed_ = true;
  GoOnline(Clock::now(), /*restored=*/false);
  return result;
}

ConnectResult ClientWorker::ConnectAndSubscribe(milliseconds timeout) {
  ConnectParams params{.host = options_.host,
                       .port = options_.port,
                       .client_id = ClientIdFor(options_.user, options_.device),
                       .username = options_.user,
                       .password = options_.token,
                       .clean_session = options_.clean_session,
                       .keepalive_s = options_.keepalive_s};
  ConnectResult result = transport_.Connect(params, timeout);
  if (!result.ok()) return result;
  // Always subscribe, also on a resumed session: a restarted broker forgot it.
  Status subscribed = transport_.Subscribe(
      {InboxTopic(options_.user) + "/#", DeviceTopic(options_.user, options_.device)}, 1, timeout);
  if (subscribed.ok()) return result;
  transport_.Disconnect(timeout);
  result = SubscribeFailure(subscribed);
  result.reached_broker = true;
  return result;
}

void ClientWorker::TryReconnect(Clock::time_point now) {
  if (!armed_ || connected_ || now < reconnect_at_) return;
  auto t0 = Clock::now();
  ConnectResult result = ConnectAndSubscribe(options_.connect_timeout);
  if (result.ok()) return GoOnline(Clock::now(), /*restored=*/true);
  // Backoff spaces the starts of attempts: a slow failed attempt has waited already.
  // One that the broker accepted and the link then cut does not grow it.
  bool link_cut = result.outcome == ConnectResult::Outcome::kUnreachable ||
                  result.outcome == ConnectResult::Outcome::kTimedOut;
  if (result.reached_broker && link_cut) reconnect_.Reset();
  reconnect_at_ = t0 + reconnect_.Next();
}

void ClientWorker::GoOnline(Clock::time_point now, bool restored) {
  connected_ = true;
  reconnect_.Reset();
  outbox_.SetOnline(true, now);  // resends the whole outbox, in order
  receiver_.OnConnected();       // a sync round starts at the next tick
  Renew();
  if (restored) {
    events_.Push(MakeLocalEvent(event_type::kConnectionRestored, "reconnected"),
                 /*droppable=*/true);
  }
}

void ClientWorker::Renew() {
  renewal_at_.reset();
  for (const std::string& command : presence_.Commands()) Publish(command);
  // With its req_id, so that the reply reaches WaitForReply and is not
  // stale; a request still open was sent on this connection already.
  if (auto push = push_.Unanswered(); push && !pending_.IsOpen(push->req_id)) {
    pending_.ExpectReply(push->req_id);
    if (!Publish(push->command).ok()) pending_.ForgetRequest(push->req_id);
  }
}

void ClientWorker::ScheduleRenewalAfterReady(Clock::time_point now) {
  // Every connected user hears `ready` at once: spread the watches over
  // kReadySpread, so that a restarted chatd is not asked them all together.
  std::uniform_int_distribution<int64_t> spread(0, kReadySpread.count());
  renewal_at_ = now + milliseconds(spread(rng_));
}

void ClientWorker::GoOffline(Clock::time_point now, const std::string* lost_cause) {
  connected_ = false;
  outbox_.SetOnline(false, now);
  receiver_.OnDisconnected();
  // Sends stay in the outbox and are resent; a request is not: fail it now.
  std::string why = lost_cause ? *lost_cause : "disconnected";
  pending_.FailRequests(MakeLocalEvent(event_type::kConnectionLost,
                                       "the connection ended before the reply (" + why +
                                           "); the request may or may not have been applied"));
  if (lost_cause == nullptr) return;  // asked for: nothing to report or retry
  events_.Push(MakeLocalEvent(event_type::kConnectionLost, *lost_cause), /*droppable=*/true);
  if (armed_) reconnect_at_ = now + reconnect_.Next();
}

void ClientWorker::SaveCursors(Clock::time_point now, bool force) {
  if (!force && now - last_save_ < kSaveInterval) return;
  last_save_ = now;
  std::map<std::string, int64_t> unsaved = delivered_.TakeUnsaved();
  try {
    cursor_store_.Save(unsaved);
  } catch (...) {
    delivered_.RestoreUnsaved(unsaved);  // tried again at the next save
    throw;
  }
}

void ClientWorker::ReportDelivered(Clock::time_point now, bool force) {
  if (!options_.auto_delivered) return;
  if (!force && now - last_delivered_report_ < options_.delivered_interval) return;
  last_delivered_report_ = now;
  for (const auto& [conv, seq] : delivered_.TakeUnreported()) {
    Publish(EncodeCursor(protocol::command::kDelivered, conv,
                         seq));  // lost if offline: the next one covers it
  }
}

Status ClientWorker::Publish(const std::string& payload) {
  return transport_.Publish(up_topic_, payload, 1);
}

}  // namespace chat::client
