// chatd's MQTT connections to the broker (Paho MQTT C++, MQTT 3.1.1, no
// client persistence: the database is the record).
//
// The command connection (`svc:chatd`) receives every device command on
// chat/up/+/+ and the plugin's presence on chat/sys/presence/+ and
// chat/sys/broker in Paho's callback and hands each, unread, to its one
// message handler (Chatd::OnMessage). After every (re)connect, once its
// subscriptions are granted, it asks the plugin for a presence snapshot on
// $CONTROL/chat/v1/presence; the handler asks for each further page the
// plugin announces (FollowPresenceSnapshot, PROTOCOL.md section 4), so the
// presence view is whole again.
//
// The fan-out connection (`svc:chatd-fanout`) only publishes: fan-out
// batches and query replies to $CONTROL/chat/v2/fanout. It is separate
// because Paho leaves Nagle's algorithm on: on a shared connection a
// batch's publish, written right after PUBACKs for commands, waited for the
// broker's delayed ACK of those PUBACKs, up to 40 ms. Here every publish is
// answered by the broker's PUBACK, which carries the ACK at once, and the
// command connection's PUBACKs still travel together (turning Nagle off on
// one shared connection cost 10 % of 1:1 throughput; bench/README.md).
// Its publishes come from the fan-out outbox (chatd/fanout_outbox.h), two
// at most unacknowledged, each carrying all that waited meanwhile.
//
// The query connection (`svc:chatd-query`) publishes what the query thread
// sends (replies to sync, history and the other queries, presence notices,
// typing): a burst of large `sync` pages never waits in front of a write
// batch, since the broker reads one packet per connection per loop pass.
// Like the fan-out connection's, its publishes come from an outbox, two at
// most unacknowledged, what waited meanwhile merged.
//
// The paced connection (`svc:chatd-paced`) publishes the paced lane's
// slices (chatd/paced_lane.h), at most kPacedWindow unacknowledged: the
// broker reads one packet per connection per loop pass, so a slice never
// waits in front of a 1:1 batch, and the lane's queue grows (and sheds)
// where the broker cannot keep up, not in Paho's buffer.
#pragma once

#include <mqtt/async_client.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "chat/token.h"
#include "chatd/fanout_outbox.h"
#include "chatd/paced_lane.h"

namespace chat {

struct BrokerLinkOptions {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string service_name = "chatd";  // username and client id become "svc:chatd"
                                       // and, for fan-out, "svc:chatd-fanout"
                                       // "svc:chatd-query", "svc:chatd-paced"
  SigningKey key;                      // signs the service's own token
};

class BrokerLink {
 public:
  // Called on Paho's thread for every message received (commands, presence,
  // the broker's run); must return quickly.
  using MessageHandler = std::function<void(const std::string& topic, const std::string& payload)>;
  // Called on Paho's thread when the commands-and-presence connection is
  // lost (Paho then reconnects it by itself).
  using LostHandler = std::function<void()>;

  BrokerLink(BrokerLinkOptions options, MessageHandler on_message, LostHandler on_lost = {});
  ~BrokerLink();

  // Connects every connection and subscribes, retrying with backoff until
  // it succeeds or `stop` becomes true. Returns whether all are connected.
  // Afterwards Paho reconnects each by itself, with a fresh token each time.
  bool Start(const std::atomic<bool>& stop);
  // Publishes the outbox's merged payloads on the fan-out connection until
  // `stop`, with at most a few unacknowledged (chatd/fanout_outbox.h);
  // Paho buffers them while disconnected. A publish that cannot even be
  // queued is logged and counted (Stop logs the count): what it carries is
  // committed (devices get it by sync) or can be asked again. Runs on a
  // thread of its own.
  void DrainFanout(FanoutOutbox& outbox, const std::atomic<bool>& stop);
  // The same for the query thread's replies on the query connection.
  void DrainReplies(FanoutOutbox& outbox, const std::atomic<bool>& stop);
  // The same for the lane's slices on the paced connection.
  void DrainPaced(PacedLane& lane, const std::atomic<bool>& stop);
  // Disconnects the fan-out connections first, so queued publishes go out.
  void Stop();
  // Whether every connection is up now.
  bool connected() const;
  // "host:port", for logs.
  std::string address() const;
  // Follows the page marks of a presence snapshot on chat/sys/broker: asks
  // for the next page as soon as a page is announced. Paho's thread.
  void FollowPresenceSnapshot(const std::string& broker_payload);
  // Asks this node's plugin to disconnect `device` of `user` here, if it is
  // connected here (`$CONTROL/chat/v1/kick`): its client id is connected to
  // another node, or its access was cut.
  void Kick(const std::string& user, const std::string& device);

 private:
  // Hears the SUBACK of the subscriptions made at each connect.
  class SubscribeListener final : public mqtt::iaction_listener {
   public:
    explicit SubscribeListener(BrokerLink& link) : link_(link) {}
    void on_success(const mqtt::token&) override;
    void on_failure(const mqtt::token&) override;

   private:
    BrokerLink& link_;
  };

  // Publishes what `next` hands out on `client`, with at most `window`
  // unacknowledged, until `stop`.
  void DrainWindowed(
      mqtt::async_client& client, std::size_t window,
      const std::function<std::optional<std::string>(std::chrono::milliseconds)>& next,
      const std::atomic<bool>& stop);
  // A Paho client for service `name`, reconnecting with a fresh token.
  std::unique_ptr<mqtt::async_client> MakeClient(const std::string& name);
  std::string MintToken(const std::string& name) const;
  // Connects `client` as service `name`, retrying with backoff; then
  // `connected()` must hold or it disconnects and tries again.
  bool Connect(mqtt::async_client& client, const std::string& name,
               const std::function<bool()>& connected, const std::atomic<bool>& stop);
  // Subscribes to every topic chatd reads, in one SUBSCRIBE; then OnSubscribed.
  void Subscribe();
  void OnSubscribed();
  // Waits (bounded) until the subscriptions of the first connect are granted.
  bool WaitUntilSubscribed(const std::atomic<bool>& stop);
  // Asks for the page of the presence snapshot after user `after` ("" first).
  void RequestPresence(std::string_view after);

  BrokerLinkOptions options_;
  MessageHandler on_message_;
  LostHandler on_lost_;
  SubscribeListener subscribe_listener_{*this};
  std::mutex mutex_;
  std::condition_variable subscribed_changed_;
  bool subscribed_ = false;                     // guarded by mutex_: a SUBACK arrived since Start
  std::atomic<int64_t> failed_publishes_{0};    // fan-out publishes Paho refused to queue
  std::unique_ptr<mqtt::async_client> client_;  // commands and presence
  std::unique_ptr<mqtt::async_client> fanout_client_;  // fan-out publishes only
  std::unique_ptr<mqtt::async_client> paced_client_;   // the paced lane's slices
  std::unique_ptr<mqtt::async_client> query_client_;   // the query thread's publishes
};

}  // namespace chat
