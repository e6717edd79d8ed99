// Paho glue for chatd.
#include "chatd/broker_link.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <thread>
#include <vector>

#include "chat/clock.h"
#include "chat/presence_format.h"
#include "chat/topics.h"
#include "chatd/presence_view.h"

namespace chat {

namespace {
constexpr int kQos = 1;
constexpr int kCommandQos = 0;                    // the commands' subscription; see Subscribe()
constexpr int kMaxBuffered = 200000;              // publishes held while disconnected
constexpr int kMaxInflight = 1000;                // QoS 1 publishes awaiting PUBACK
constexpr int64_t kServiceTokenTtlS = 24 * 3600;  // re-minted at every (re)connect
constexpr auto kSubscribeTimeout = std::chrono::seconds(10);
constexpr int kRefusedSubscription = 0x80;                 // SUBACK return code in MQTT 3.1.1
constexpr std::string_view kFanoutNameSuffix = "-fanout";  // svc:chatd-fanout
constexpr std::string_view kPacedNameSuffix = "-paced";    // svc:chatd-paced
constexpr std::string_view kQueryNameSuffix = "-query";    // svc:chatd-query
// Paced slices in flight. The broker reads one per loop pass, so the lane's
// rate is at most a window per round trip to chatd: with two, a group offered
// 33,000-40,000 copies/s on the 2-core benchmark machine outran it and was
// shed (isolation phase B 66-107 ms); four kept up at 31,500-41,300 (14-16
// ms). The rest stays queued in the lane, where it can be shed.
constexpr std::size_t kPacedWindow = 4;
// Fan-out publishes in flight: as few, for the same reason; what waits
// meanwhile leaves merged with the next (chatd/fanout_outbox.h).
constexpr std::size_t kFanoutWindow = 2;
}  // namespace

BrokerLink::BrokerLink(BrokerLinkOptions options, MessageHandler on_message, LostHandler on_lost)
    : options_(std::move(options)),
      on_message_(std::move(on_message)),
      on_lost_(std::move(on_lost)) {
  client_ = MakeClient(options_.service_name);
  client_->set_message_callback([this](mqtt::const_message_ptr message) {
    on_message_(message->get_topic(), message->to_string());
  });
  client_->set_connection_lost_handler([this](const std::string& cause) {
    spdlog::warn("{}{} lost broker {} ({}); reconnecting", kServicePrefix, options_.service_name,
                 address(), cause.empty() ? "no reason" : cause);
    if (on_lost_) on_lost_();
  });
  client_->set_connected_handler([this](const std::string&) {
    spdlog::info("connected to broker {}:{}", options_.host, options_.port);
    Subscribe();
  });
  fanout_client_ = MakeClient(options_.service_name + std::string(kFanoutNameSuffix));
  paced_client_ = MakeClient(options_.service_name + std::string(kPacedNameSuffix));
  query_client_ = MakeClient(options_.service_name + std::string(kQueryNameSuffix));
  for (auto* client : {fanout_client_.get(), paced_client_.get(), query_client_.get()}) {
    client->set_connected_handler([this, client](const std::string&) {
      spdlog::info("{} connected to broker {}:{}", client->get_client_id(), options_.host,
                   options_.port);
    });
  }
}

BrokerLink::~BrokerLink() { Stop(); }

std::unique_ptr<mqtt::async_client> BrokerLink::MakeClient(const std::string& name) {
  std::string uri = "tcp://" + options_.host + ":" + std::to_string(options_.port);
  mqtt::create_options create(MQTTVERSION_3_1_1, kMaxBuffered);
  create.set_send_while_disconnected(true, /*anyTime=*/true);
  auto client = std::make_unique<mqtt::async_client>(uri, std::string(kServicePrefix) + name,
                                                     create, nullptr);
  client->set_connection_lost_handler([this, name](const std::string& cause) {
    spdlog::warn("{}{} lost broker {} ({}); reconnecting", kServicePrefix, name, address(),
                 cause.empty() ? "no reason" : cause);
  });
  client->set_update_connection_handler([this, name](mqtt::connect_data& data) {
    data.set_password(MintToken(name));
    return true;
  });
  return client;
}

std::string BrokerLink::MintToken(const std::string& name) const {
  int64_t now = NowSeconds();
  TokenClaims claims{name, "", NewTokenId(), now, now + kServiceTokenTtlS, true};
  return TokenSigner(options_.key).Sign(claims);
}

// Commands and the broker's notice log (keepalive timeouts:
// chatd/keepalive_timeouts.h) come at QoS 0, presence and the broker's boot
// mark at QoS 1. A QoS 0 message is sent at once or dropped, never queued
// behind QoS 1 ones, so a timeout's log line still comes ahead of the
// departure it explains; and every connect and disconnect logs a line or
// two, which at QoS 1 would cost a PUBACK each (deploy/mosquitto.conf has
// what the log costs the broker).
// Mosquitto 2.0.11 reads one packet per connection per pass of its loop, so
// while several devices had a command ready in every pass, chatd's PUBACKs
// fell further behind with each pass; past max_queued_messages commands
// waiting for one, the broker dropped commands it had already acknowledged
// to their devices (bench/README.md, "Commands the broker dropped"). At QoS 0
// nothing waits for chatd's acknowledgement. What QoS 1 protected is covered
// by the devices: a command lost with chatd's connection is resent, with the
// same cmid or req_id, on the `ready` the plugin sends when chatd is back.
void BrokerLink::Subscribe() {
  auto topics = mqtt::string_collection::create(
      {std::string(kAllUpTopics), std::string(kAllPresenceTopics), std::string(kBrokerBootTopic),
       std::string(kBrokerNoticeLogTopic)});
  try {
    client_->subscribe(topics,
                       mqtt::iasync_client::qos_collection{kCommandQos, kQos, kQos, kCommandQos},
                       nullptr, subscribe_listener_);
  } catch (const mqtt::exception& e) {
    spdlog::error("subscribe to {}, {}, {} and {} failed: {}", kAllUpTopics, kAllPresenceTopics,
                  kBrokerBootTopic, kBrokerNoticeLogTopic, e.what());
  }
}

void BrokerLink::SubscribeListener::on_success(const mqtt::token& token) {
  try {
    mqtt::subscribe_response response = token.get_subscribe_response();
    for (int code : response.get_reason_codes()) {
      if (code >= kRefusedSubscription) {
        spdlog::error("the broker refused a subscription (SUBACK {:#x})", code);
        return;
      }
    }
  } catch (const mqtt::exception& e) {
    spdlog::warn("SUBACK without return codes: {}", e.what());
  }
  link_.OnSubscribed();
}

void BrokerLink::SubscribeListener::on_failure(const mqtt::token& token) {
  spdlog::error("subscribe failed (Paho error {})", token.get_return_code());
}

// The subscriptions are in place, so every presence change from now on
// reaches chatd: the snapshot answered next is complete together with them.
void BrokerLink::OnSubscribed() {
  {
    std::lock_guard lock(mutex_);
    subscribed_ = true;
  }
  subscribed_changed_.notify_all();
  RequestPresence("");
}

bool BrokerLink::WaitUntilSubscribed(const std::atomic<bool>& stop) {
  auto deadline = std::chrono::steady_clock::now() + kSubscribeTimeout;
  std::unique_lock lock(mutex_);
  while (!subscribed_ && !stop && std::chrono::steady_clock::now() < deadline) {
    subscribed_changed_.wait_for(lock, std::chrono::milliseconds(50));
  }
  return subscribed_;
}

void BrokerLink::RequestPresence(std::string_view after) {
  std::string request = presence::EncodeSnapshotRequest(after);
  try {
    client_->publish(std::string(kPresenceRequestTopic), request.data(), request.size(), kQos,
                     false);
  } catch (const mqtt::exception& e) {
    spdlog::error("presence snapshot request {} could not be queued: {}", request, e.what());
  }
}

void BrokerLink::Kick(const std::string& user, const std::string& device) {
  std::string request = presence::EncodeKickRequest({user, device});
  try {
    client_->publish(std::string(kKickTopic), request.data(), request.size(), kQos, false);
  } catch (const mqtt::exception& e) {
    spdlog::error("kick request {} to broker {} could not be queued: {}", request, address(),
                  e.what());
  }
}

void BrokerLink::FollowPresenceSnapshot(const std::string& broker_payload) {
  std::optional<presence::BrokerMark> mark = presence::ParseBrokerMark(broker_payload);
  if (mark && mark->snapshot && mark->snapshot->until) RequestPresence(*mark->snapshot->until);
}

bool BrokerLink::Connect(mqtt::async_client& client, const std::string& name,
                         const std::function<bool()>& connected, const std::atomic<bool>& stop) {
  auto backoff = std::chrono::milliseconds(200);
  while (!stop) {
    // Built here and passed directly: never copy connect options (DESIGN.md, Paho 1.2.0).
    mqtt::connect_options options;
    options.set_mqtt_version(MQTTVERSION_3_1_1);
    options.set_clean_session(false);  // the broker keeps our subscriptions and queue
    options.set_keep_alive_interval(20);
    options.set_user_name(std::string(kServicePrefix) + name);
    options.set_password(MintToken(name));
    options.set_max_inflight(kMaxInflight);
    options.set_automatic_reconnect(1, 30);
    try {
      client.connect(options)->wait();
      if (connected()) return true;
      if (stop) break;
      spdlog::warn("{}{}: subscriptions at broker {}:{} not granted; reconnecting", kServicePrefix,
                   name, options_.host, options_.port);
      client.disconnect()->wait();
    } catch (const mqtt::exception& e) {
      spdlog::warn("{}{} cannot connect to broker {}:{} ({}); retrying in {} ms", kServicePrefix,
                   name, options_.host, options_.port, e.what(), backoff.count());
    }
    for (auto waited = std::chrono::milliseconds(0); waited < backoff && !stop;
         waited += std::chrono::milliseconds(50)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
  return false;
}

bool BrokerLink::Start(const std::atomic<bool>& stop) {
  // All at once: Paho notices a socket opened while its network thread
  // waits on another only when that wait times out, about a second later.
  const std::pair<mqtt::async_client*, std::string_view> publishers[] = {
      {fanout_client_.get(), kFanoutNameSuffix},
      {query_client_.get(), kQueryNameSuffix},
      {paced_client_.get(), kPacedNameSuffix}};
  std::atomic<int> up{0};
  std::vector<std::thread> connecting;
  for (auto [client, suffix] : publishers) {
    connecting.emplace_back([&, client, suffix] {
      if (Connect(
              *client, options_.service_name + std::string(suffix), [] { return true; }, stop))
        ++up;
    });
  }
  // The connected handler subscribes.
  bool commands_up = Connect(
      *client_, options_.service_name, [&] { return WaitUntilSubscribed(stop); }, stop);
  for (std::thread& thread : connecting) thread.join();
  return commands_up && up == static_cast<int>(connecting.size());
}

void BrokerLink::DrainPaced(PacedLane& lane, const std::atomic<bool>& stop) {
  DrainWindowed(
      *paced_client_, kPacedWindow,
      [&lane](std::chrono::milliseconds wait) { return lane.NextSlice(wait); }, stop);
}

void BrokerLink::DrainFanout(FanoutOutbox& outbox, const std::atomic<bool>& stop) {
  DrainWindowed(
      *fanout_client_, kFanoutWindow,
      [&outbox](std::chrono::milliseconds wait) { return outbox.Next(wait); }, stop);
}

void BrokerLink::DrainReplies(FanoutOutbox& outbox, const std::atomic<bool>& stop) {
  DrainWindowed(
      *query_client_, kFanoutWindow,
      [&outbox](std::chrono::milliseconds wait) { return outbox.Next(wait); }, stop);
}

void BrokerLink::DrainWindowed(
    mqtt::async_client& client, std::size_t window,
    const std::function<std::optional<std::string>(std::chrono::milliseconds)>& next,
    const std::atomic<bool>& stop) {
  std::deque<mqtt::delivery_token_ptr> in_flight;
  while (!stop) {
    // Waits for the oldest publish while the window is full; Paho holds
    // unacknowledged ones across a reconnect, so none is lost to a drop.
    while (in_flight.size() >= window && !stop) {
      try {
        if (in_flight.front()->wait_for(std::chrono::milliseconds(100))) in_flight.pop_front();
      } catch (const mqtt::exception& e) {
        in_flight.pop_front();  // committed: devices get it by sync
        spdlog::warn("a publish on {} failed: {}", client.get_client_id(), e.what());
      }
    }
    std::optional<std::string> payload = next(std::chrono::milliseconds(100));
    if (!payload) continue;
    try {
      in_flight.push_back(
          client.publish(std::string(kFanoutTopic), payload->data(), payload->size(), kQos, false));
    } catch (const mqtt::exception& e) {
      ++failed_publishes_;
      spdlog::error("publish of {} bytes on {} could not be queued: {}", payload->size(),
                    client.get_client_id(), e.what());
    }
  }
}

bool BrokerLink::connected() const {
  for (const auto* client :
       {client_.get(), fanout_client_.get(), paced_client_.get(), query_client_.get()}) {
    if (!client || !client->is_connected()) return false;
  }
  return true;
}

std::string BrokerLink::address() const {
  return options_.host + ":" + std::to_string(options_.port);
}

void BrokerLink::Stop() {
  if (int64_t failed = failed_publishes_.exchange(0); failed > 0) {
    spdlog::warn("{} fan-out publishes could not be queued; devices got them by sync", failed);
  }
  for (mqtt::async_client* client :
       {fanout_client_.get(), query_client_.get(), paced_client_.get(), client_.get()}) {
    if (!client || !client->is_connected()) continue;
    try {
      client->disconnect(std::chrono::seconds(2))->wait_for(std::chrono::seconds(3));
    } catch (const mqtt::exception& e) {
      spdlog::warn("disconnect {}: {}", client->get_client_id(), e.what());
    }
  }
}

}  // namespace chat
