// Mosquitto 2.0 entry points (plugin API v5) and the broker callbacks: thin
// glue that converts broker events into calls on the pure decision classes.
#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#include <chrono>
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "access_policy.h"
#include "authenticator.h"
#include "chat/clock.h"
#include "chat/presence_format.h"
#include "chat/store_target.h"
#include "chat/topics.h"
#include "command_consumer.h"
#include "connect_limiter.h"
#include "fan_out.h"
#include "identity.h"
#include "plugin_options.h"
#include "postgres_token_registry.h"
#include "presence_snapshot.h"
#include "presence_tracker.h"
#include "publish_limiter.h"
#include "sqlite_token_registry.h"

#define CHAT_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))

namespace chat::plugin {

namespace {

// The control topics, as the NUL-terminated strings the broker API takes.
const char* const kFanOutControl = kFanoutTopic.data();
const char* const kPresenceControl = kPresenceRequestTopic.data();
const char* const kKickControl = kKickTopic.data();

std::string_view OrEmpty(const char* text) { return text ? std::string_view(text) : ""; }

// Queues a message from the broker itself, to every subscriber or, with a
// client id, to that client only; the broker sends it after the current
// callback returns, in the order queued. Never blocks.
bool Publish(const std::string& topic, std::string_view payload, int qos, bool retain,
             const char* client_id = nullptr) {
  return mosquitto_broker_publish_copy(client_id, topic.c_str(), static_cast<int>(payload.size()),
                                       payload.data(), qos, retain, nullptr) == MOSQ_ERR_SUCCESS;
}

// An event for devices (fan-out copies, errors) goes at QoS 0: it reaches the
// devices connected now, and the broker queues nothing for a device that is
// away, which catches up by `sync` when it comes back (docs/PROTOCOL.md
// section 8), so no message crosses its link twice. The broker takes a
// NUL-terminated topic; fan-out topics are views into the control payload.
// Used on the broker's thread only.
bool PublishCopy(std::string_view topic, std::string_view payload) {
  static std::string terminated;
  terminated.assign(topic);
  return Publish(terminated, payload, /*qos=*/0, /*retain=*/false);
}

// Milliseconds of a monotonic clock, for the rate limits.
int64_t MonotonicMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The connection a broker client context stands for, until its disconnect.
ConnectionId ConnectionOf(const mosquitto* client) {
  return reinterpret_cast<ConnectionId>(client);
}

// Everything the callbacks need, owned by the broker through `userdata`
// between init and cleanup. Used on the broker's thread only.
struct ChatPlugin {
  explicit ChatPlugin(mosquitto_plugin_id_t* plugin_id, PluginConfig config)
      : id(plugin_id),
        db_path(config.db_path),
        registry(MakeRegistry(config.db_path)),
        authenticator(config.key, *registry),
        policy(config.max_payload_bytes),
        fan_out(PublishCopy),
        limits(config.limits),
        publish_limiter(config.publish_limits),
        connect_limiter(config.connect_limits) {}

  mosquitto_plugin_id_t* id;
  std::string db_path;
  // chatd's database: its SQLite file, or its PostgreSQL server.
  static std::unique_ptr<TokenRegistry> MakeRegistry(const std::string& db_path) {
    if (IsPostgresUrl(db_path)) return std::make_unique<PostgresTokenRegistry>(db_path);
    return std::make_unique<SqliteTokenRegistry>(db_path);
  }

  std::unique_ptr<TokenRegistry> registry;
  Authenticator authenticator;
  AccessPolicy policy;
  FanOut fan_out;
  PresenceTracker presence;
  CommandConsumerTracker consumer;
  const bool limits;  // whether the rate limits apply (plugin_opt_limits)
  PublishLimiter publish_limiter;
  ConnectLimiter connect_limiter;
  // Client ids to disconnect on the next tick: flooders, and devices a
  // service asked to kick (their client id is connected to another node).
  std::vector<std::string> to_disconnect;
  const int64_t boot_ms = NowMillis();  // names this broker run in presence states
  bool boot_announced = false;
};

// Publishes each change on chat/sys/presence/{u}, not retained: a retained
// message per user would cost the broker memory for every user ever seen. A
// service that needs the current state asks for a snapshot (OnPresenceRequest).
void PublishPresence(ChatPlugin& plugin, const std::vector<PresenceChange>& changes) {
  if (!plugin.boot_announced) {
    // Done on the first connect rather than at init, when the broker's
    // message queue is not running yet.
    plugin.boot_announced =
        Publish(std::string(kBrokerBootTopic),
                presence::EncodeBrokerMark({plugin.boot_ms, std::nullopt}), /*qos=*/1,
                /*retain=*/true);
  }
  for (const PresenceChange& change : changes) {
    mosquitto_log_printf(MOSQ_LOG_DEBUG, "chat-plugin: presence of %s: %s, %zu device(s)",
                         change.user.c_str(), change.online ? "online" : "offline", change.devices);
    std::string payload = PresencePayload(change, plugin.boot_ms);
    if (!Publish(PresenceTopic(change.user), payload, /*qos=*/1, /*retain=*/false)) {
      mosquitto_log_printf(MOSQ_LOG_WARNING, "chat-plugin: cannot queue the presence of %s",
                           change.user.c_str());
    }
  }
}

// Presence follows authentication: Mosquitto 2.0.11 has no connect event, and
// every client that passed BASIC_AUTH later gets a DISCONNECT event, whatever
// ends it (refused after auth, takeover, keepalive, socket error). A refusal
// also ends tracking: the broker closes a refused connection, including a live
// one refused when a configuration reload re-checks it. Presence never changes
// the authentication decision.
void TrackAuthentication(ChatPlugin& plugin, const mosquitto* client, std::string_view username,
                         std::string_view client_id, bool allowed) {
  try {
    int64_t now_ms = NowMillis();
    PublishPresence(plugin, allowed
                                ? plugin.presence.Connect(ConnectionOf(client),
                                                          IdentityOf(username, client_id), now_ms)
                                : plugin.presence.Disconnect(ConnectionOf(client), now_ms));
  } catch (const std::exception& e) {
    mosquitto_log_printf(MOSQ_LOG_ERR, "chat-plugin: presence of %.*s not tracked: %s",
                         static_cast<int>(client_id.size()), client_id.data(), e.what());
  }
}

// Verifies the token, unless the connect limits refuse the attempt first
// (PROTOCOL.md, section 9, "Rate limits"): an address that keeps failing, or a
// user whose devices keep reconnecting. Services are never limited; a client
// that only claims to be one is verified, and its failure still counts.
// `throttled` tells a refusal by the limits, which is not verified nor logged
// above DEBUG: a storm must cost the broker little.
AuthDecision Authenticate(ChatPlugin& plugin, const mosquitto_evt_basic_auth& event,
                          std::string_view client_id, bool& throttled) {
  std::string_view username = OrEmpty(event.username);
  std::string_view address = OrEmpty(mosquitto_client_address(event.client));
  bool limited = plugin.limits && !username.starts_with(kServicePrefix);
  int64_t now_ms = MonotonicMillis();
  if (limited) {
    if (int64_t wait_ms = plugin.connect_limiter.Check(address, username, now_ms); wait_ms > 0) {
      throttled = true;
      return {false, "too many connects from " + std::string(address) + " or of user " +
                         std::string(username) + "; budget again in " + std::to_string(wait_ms) +
                         " ms"};
    }
  }
  AuthDecision decision =
      plugin.authenticator.Check(username, OrEmpty(event.password), client_id, NowSeconds());
  if (!decision.allowed) {
    if (plugin.limits) plugin.connect_limiter.Failed(address, now_ms);
  } else if (limited) {
    plugin.connect_limiter.Succeeded(username, now_ms);
  }
  return decision;
}

int OnBasicAuth(int, void* event_data, void* userdata) {
  auto* event = static_cast<mosquitto_evt_basic_auth*>(event_data);
  auto* plugin = static_cast<ChatPlugin*>(userdata);
  std::string_view client_id = OrEmpty(mosquitto_client_id(event->client));
  AuthDecision decision;
  bool throttled = false;
  try {
    decision = Authenticate(*plugin, *event, client_id, throttled);
  } catch (const std::exception& e) {
    decision = {false, std::string("internal error: ") + e.what()};
  }
  TrackAuthentication(*plugin, event->client, OrEmpty(event->username), client_id,
                      decision.allowed);
  if (decision.allowed) return MOSQ_ERR_SUCCESS;
  mosquitto_log_printf(throttled ? MOSQ_LOG_DEBUG : MOSQ_LOG_NOTICE,
                       "chat-plugin: refused %.*s: %s", static_cast<int>(client_id.size()),
                       client_id.data(), decision.reason.c_str());
  return MOSQ_ERR_AUTH;
}

bool ToAccess(int mosq_access, Access* access) {
  switch (mosq_access) {
    case MOSQ_ACL_READ: *access = Access::kRead; return true;
    case MOSQ_ACL_WRITE: *access = Access::kWrite; return true;
    case MOSQ_ACL_SUBSCRIBE: *access = Access::kSubscribe; return true;
    case MOSQ_ACL_UNSUBSCRIBE: *access = Access::kUnsubscribe; return true;
    default: return false;
  }
}

// Tells every connected user `ready` on chat/inbox/{u}: chatd is back (a
// returning chatd lost the presence watches it held, and devices refused
// meanwhile wait to resend). One copy per online user, not per device.
void AnnounceConsumerBack(ChatPlugin& plugin, std::string_view consumer_id) {
  const std::string payload = ReadyEvent();
  std::size_t told = 0;
  plugin.presence.ForEachUser([&](const std::string& user) {
    if (Publish(InboxTopic(user), payload, /*qos=*/0, /*retain=*/false, nullptr)) {
      ++told;
    } else {
      mosquitto_log_printf(MOSQ_LOG_WARNING, "chat-plugin: cannot queue `ready` for %s",
                           user.c_str());
    }
  });
  mosquitto_log_printf(MOSQ_LOG_INFO,
                       "chat-plugin: command consumer %.*s is back; told %zu connected user(s) "
                       "`ready`",
                       static_cast<int>(consumer_id.size()), consumer_id.data(), told);
}

// An allowed check, seen by the command consumer's tracker (PROTOCOL.md,
// section 4, "Commands while chatd is away"). A device command while chatd is
// away is refused (MQTT 5: PUBACK 0x87), and the device gets `unavailable`.
// When chatd's subscription to chat/up/+/+ is granted, every connected user
// gets `ready`. Mosquitto 2.0.11 checks a SUBSCRIBE's filter and, in the same
// call on this thread, adds the subscription before it reads another packet;
// messages queued here are sent only after this callback returns. So the
// subscription is in place before any `ready` leaves the broker, and a
// device's resend, which follows its `ready`, reaches chatd.
int TrackConsumer(ChatPlugin& plugin, const mosquitto* client, const Identity& who,
                  std::string_view client_id, const char* topic, Access access) {
  switch (access) {
    case Access::kSubscribe:
      if (plugin.consumer.Subscribed(ConnectionOf(client), who, topic)) {
        AnnounceConsumerBack(plugin, client_id);
      }
      break;
    case Access::kUnsubscribe: plugin.consumer.Unsubscribed(ConnectionOf(client), topic); break;
    case Access::kWrite:
      if (plugin.consumer.AdmitCommand(who)) break;
      mosquitto_log_printf(MOSQ_LOG_DEBUG,
                           "chat-plugin: refused a command of %.*s: no command consumer",
                           static_cast<int>(client_id.size()), client_id.data());
      if (!Publish(DeviceTopic(who.user, who.device), UnavailableError(), /*qos=*/0,
                   /*retain=*/false, std::string(client_id).c_str())) {
        mosquitto_log_printf(MOSQ_LOG_WARNING, "chat-plugin: cannot queue `unavailable` for %.*s",
                             static_cast<int>(client_id.size()), client_id.data());
      }
      return MOSQ_ERR_ACL_DENIED;
    case Access::kRead: break;
  }
  return MOSQ_ERR_SUCCESS;
}

// Charges a device's command to its budgets (PROTOCOL.md, section 9, "Rate
// limits"). Over budget, the command is refused (MQTT 5: PUBACK 0x87; 3.1.1:
// acknowledged and dropped), the device hears `rate_limited` at most once per
// limit_error_interval_ms, and a device that keeps flooding is queued for
// disconnection on the next tick: kicking it here would close its socket in
// the middle of the broker's handling of its PUBLISH, which goes on to answer
// and free that PUBLISH and to read the next packet (mosquitto 2.0.11,
// handle__publish and packet__read).
bool AdmitByRate(ChatPlugin& plugin, const mosquitto_evt_acl_check& event, const Identity& who,
                 std::string_view client_id) {
  std::string_view payload;
  if (event.payload) payload = {static_cast<const char*>(event.payload), event.payloadlen};
  PublishVerdict verdict = plugin.publish_limiter.Admit(
      who.user, who.device, event.payloadlen, IsTypingCommand(payload), MonotonicMillis());
  if (verdict.allowed) return true;
  mosquitto_log_printf(MOSQ_LOG_DEBUG,
                       "chat-plugin: refused a command of %.*s: over its rate limit (retry in "
                       "%lld ms)",
                       static_cast<int>(client_id.size()), client_id.data(),
                       static_cast<long long>(verdict.retry_after_ms));
  if (verdict.tell &&
      !Publish(DeviceTopic(who.user, who.device), RateLimitedError(verdict.retry_after_ms),
               /*qos=*/0, /*retain=*/false, std::string(client_id).c_str())) {
    mosquitto_log_printf(MOSQ_LOG_WARNING, "chat-plugin: cannot queue `rate_limited` for %.*s",
                         static_cast<int>(client_id.size()), client_id.data());
  }
  if (verdict.disconnect) {
    mosquitto_log_printf(MOSQ_LOG_WARNING,
                         "chat-plugin: disconnecting %.*s: it kept flooding (%lld commands "
                         "refused in a row over %lld ms)",
                         static_cast<int>(client_id.size()), client_id.data(),
                         static_cast<long long>(verdict.refusals),
                         static_cast<long long>(verdict.flooding_ms));
    plugin.to_disconnect.emplace_back(client_id);
  }
  return false;
}

int OnAclCheck(int, void* event_data, void* userdata) {
  auto* event = static_cast<mosquitto_evt_acl_check*>(event_data);
  auto* plugin = static_cast<ChatPlugin*>(userdata);
  const char* client_id = mosquitto_client_id(event->client);
  Identity who = IdentityOf(OrEmpty(mosquitto_client_username(event->client)), OrEmpty(client_id));
  Access access;
  if (!ToAccess(event->access, &access) || !event->topic) return MOSQ_ERR_ACL_DENIED;
  try {
    switch (plugin->policy.Decide(who, event->topic, access, event->payloadlen, event->retain)) {
      case AclDecision::kAllow:
        if (access == Access::kWrite && who.is_device() && plugin->limits &&
            !AdmitByRate(*plugin, *event, who, OrEmpty(client_id))) {
          return MOSQ_ERR_ACL_DENIED;
        }
        return TrackConsumer(*plugin, event->client, who, OrEmpty(client_id), event->topic, access);
      case AclDecision::kDeny:
        if (access != Access::kRead) {
          mosquitto_log_printf(MOSQ_LOG_DEBUG, "chat-plugin: denied %s %s on '%s'",
                               access == Access::kWrite ? "publish from" : "subscription of",
                               OrEmpty(client_id).data(), event->topic);
        }
        return MOSQ_ERR_ACL_DENIED;
      case AclDecision::kDenyOversize:
        mosquitto_log_printf(
            MOSQ_LOG_INFO, "chat-plugin: dropped %u-byte publish from %s (limit %zu)",
            event->payloadlen, OrEmpty(client_id).data(), plugin->policy.max_payload_bytes());
        PublishCopy(DeviceTopic(who.user, who.device),
                    plugin->policy.OversizeError(event->payloadlen));
        return MOSQ_ERR_ACL_DENIED;
    }
  } catch (const std::exception& e) {
    mosquitto_log_printf(MOSQ_LOG_ERR, "chat-plugin: ACL check failed: %s", e.what());
  }
  return MOSQ_ERR_ACL_DENIED;
}

// A control message and who sent it; the views are valid during the callback.
struct ControlMessage {
  const char* client_id;  // never null
  Identity sender;
  std::string_view payload;
};

ControlMessage ControlMessageOf(const mosquitto_evt_control* event) {
  const char* client_id = mosquitto_client_id(event->client);
  if (!client_id) client_id = "";
  std::string_view payload;
  if (event->payload) payload = {static_cast<const char*>(event->payload), event->payloadlen};
  return {client_id, IdentityOf(OrEmpty(mosquitto_client_username(event->client)), client_id),
          payload};
}

// Control callbacks log a bad request and acknowledge it (MOSQ_ERR_SUCCESS):
// an error would make the broker disconnect chatd, and resending would not
// fix it.
int OnFanOut(int, void* event_data, void* userdata) {
  auto* plugin = static_cast<ChatPlugin*>(userdata);
  ControlMessage control = ControlMessageOf(static_cast<mosquitto_evt_control*>(event_data));
  try {
    FanOutResult result = plugin->fan_out.Handle(control.sender, control.payload);
    if (!result.status.ok()) {
      mosquitto_log_printf(MOSQ_LOG_WARNING, "chat-plugin: fan-out from %s: %s (%zu copies queued)",
                           control.client_id, result.status.message().c_str(), result.copies);
    }
  } catch (const std::exception& e) {
    mosquitto_log_printf(MOSQ_LOG_ERR, "chat-plugin: fan-out from %s failed: %s", control.client_id,
                         e.what());
  }
  return MOSQ_ERR_SUCCESS;
}

// Answers one page of the presence snapshot to the requesting client only.
// Queued after every change published so far and before any later one, so
// each user's states reach the requester in order.
int OnPresenceRequest(int, void* event_data, void* userdata) {
  auto* plugin = static_cast<ChatPlugin*>(userdata);
  ControlMessage control = ControlMessageOf(static_cast<mosquitto_evt_control*>(event_data));
  try {
    PresenceSnapshotAnswer answer = AnswerPresenceRequest(
        control.sender, control.payload, plugin->presence, plugin->boot_ms, NowMillis());
    if (!answer.ok) {
      mosquitto_log_printf(MOSQ_LOG_WARNING, "chat-plugin: presence request from %s: %s",
                           control.client_id, answer.error.c_str());
    }
    std::size_t failed = 0;
    for (const OutgoingMessage& message : answer.messages) {
      if (!Publish(message.topic, message.payload, /*qos=*/1, /*retain=*/false, control.client_id))
        ++failed;
    }
    if (failed > 0) {
      mosquitto_log_printf(MOSQ_LOG_WARNING,
                           "chat-plugin: %zu of %zu presence snapshot messages for %s not queued",
                           failed, answer.messages.size(), control.client_id);
    }
  } catch (const std::exception& e) {
    mosquitto_log_printf(MOSQ_LOG_ERR, "chat-plugin: presence request from %s failed: %s",
                         control.client_id, e.what());
  }
  return MOSQ_ERR_SUCCESS;
}

// A service asks to disconnect a device here: the same client id connected
// to another broker node later (docs/ARCHITECTURE.md, "Broker nodes").
// Queued for the next tick, like a flooder, outside any packet handling.
int OnKick(int, void* event_data, void* userdata) {
  auto* plugin = static_cast<ChatPlugin*>(userdata);
  ControlMessage control = ControlMessageOf(static_cast<mosquitto_evt_control*>(event_data));
  try {
    std::optional<presence::KickRequest> kick = presence::ParseKickRequest(control.payload);
    if (!control.sender.is_service() || !kick) {
      mosquitto_log_printf(MOSQ_LOG_WARNING, "chat-plugin: kick request from %s ignored: %s",
                           control.client_id,
                           control.sender.is_service() ? R"(not {"user":"<id>","device":"<id>"})"
                                                       : "requester is not a service identity");
      return MOSQ_ERR_SUCCESS;
    }
    std::string client_id = kick->user + ":" + kick->device;
    mosquitto_log_printf(MOSQ_LOG_NOTICE,
                         "chat-plugin: disconnecting %s at the request of %s: connected to "
                         "another broker node too",
                         client_id.c_str(), control.client_id);
    plugin->to_disconnect.push_back(std::move(client_id));
  } catch (const std::exception& e) {
    mosquitto_log_printf(MOSQ_LOG_ERR, "chat-plugin: kick request from %s failed: %s",
                         control.client_id, e.what());
  }
  return MOSQ_ERR_SUCCESS;
}

// A departure's keepalive, and when it was last heard from: now, except
// after a keepalive timeout, whose `last_seen` is the client's last packet,
// not the moment the broker noticed. Mosquitto 2.0.11 gives every disconnect
// event the reason -1; chatd then learns of the timeout from the broker's log
// (docs/PROTOCOL.md, "Presence of people") and dates it the same way.
void DateDeparture(const mosquitto_evt_disconnect& event, std::vector<PresenceChange>& changes) {
  int64_t keepalive_s = mosquitto_client_keepalive(event.client);
  bool timed_out = event.reason == MOSQ_ERR_KEEPALIVE;
  for (PresenceChange& change : changes) {
    change.keepalive_s = keepalive_s;
    change.timed_out = timed_out;
    if (timed_out) {
      change.last_seen_ms = presence::LastPacketBeforeTimeout(change.last_seen_ms, keepalive_s);
    }
  }
}

// Fired for every client context the broker drops (mosquitto 2.0.11,
// context__disconnect), also for ones never authenticated: those are unknown
// to the tracker and ignored. The client id may already be freed here; the
// connection is identified by its context alone.
int OnDisconnect(int, void* event_data, void* userdata) {
  auto* event = static_cast<mosquitto_evt_disconnect*>(event_data);
  auto* plugin = static_cast<ChatPlugin*>(userdata);
  try {
    plugin->consumer.Disconnected(ConnectionOf(event->client));
    std::vector<PresenceChange> changes =
        plugin->presence.Disconnect(ConnectionOf(event->client), NowMillis());
    DateDeparture(*event, changes);
    PublishPresence(*plugin, changes);
  } catch (const std::exception& e) {
    mosquitto_log_printf(MOSQ_LOG_ERR, "chat-plugin: presence update failed: %s", e.what());
  }
  return MOSQ_ERR_SUCCESS;
}

// Fired at the end of every pass of the broker's main loop (at least every
// 100 ms in 2.0.11): the connects of that pass shared one registry snapshot,
// which ends here; flooders found in that pass and kicked devices are
// disconnected, outside any handling of their packets; idle rate-limit
// entries are forgotten.
int OnTick(int, void*, void* userdata) {
  auto* plugin = static_cast<ChatPlugin*>(userdata);
  plugin->registry->EndSnapshot();
  for (const std::string& client_id : plugin->to_disconnect) {
    mosquitto_kick_client_by_clientid(client_id.c_str(), /*with_will=*/false);
  }
  plugin->to_disconnect.clear();
  int64_t now_ms = MonotonicMillis();
  plugin->publish_limiter.EvictIdle(now_ms);
  plugin->connect_limiter.EvictIdle(now_ms);
  return MOSQ_ERR_SUCCESS;
}

void Unregister(mosquitto_plugin_id_t* id) {
  mosquitto_callback_unregister(id, MOSQ_EVT_BASIC_AUTH, OnBasicAuth, nullptr);
  mosquitto_callback_unregister(id, MOSQ_EVT_ACL_CHECK, OnAclCheck, nullptr);
  mosquitto_callback_unregister(id, MOSQ_EVT_CONTROL, OnFanOut, kFanOutControl);
  mosquitto_callback_unregister(id, MOSQ_EVT_CONTROL, OnPresenceRequest, kPresenceControl);
  mosquitto_callback_unregister(id, MOSQ_EVT_CONTROL, OnKick, kKickControl);
  mosquitto_callback_unregister(id, MOSQ_EVT_DISCONNECT, OnDisconnect, nullptr);
  mosquitto_callback_unregister(id, MOSQ_EVT_TICK, OnTick, nullptr);
}

int Init(mosquitto_plugin_id_t* id, void** userdata, mosquitto_opt* options, int option_count) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int i = 0; i < option_count; ++i) {
    pairs.emplace_back(OrEmpty(options[i].key), OrEmpty(options[i].value));
  }
  auto config = ParsePluginOptions(pairs);
  if (!config.ok()) {
    mosquitto_log_printf(MOSQ_LOG_ERR, "chat-plugin: %s", config.status().message().c_str());
    return MOSQ_ERR_INVAL;
  }
  auto plugin = std::make_unique<ChatPlugin>(id, std::move(*config));
  if (mosquitto_callback_register(id, MOSQ_EVT_BASIC_AUTH, OnBasicAuth, nullptr, plugin.get()) ||
      mosquitto_callback_register(id, MOSQ_EVT_ACL_CHECK, OnAclCheck, nullptr, plugin.get()) ||
      mosquitto_callback_register(id, MOSQ_EVT_CONTROL, OnFanOut, kFanOutControl, plugin.get()) ||
      mosquitto_callback_register(id, MOSQ_EVT_CONTROL, OnPresenceRequest, kPresenceControl,
                                  plugin.get()) ||
      mosquitto_callback_register(id, MOSQ_EVT_CONTROL, OnKick, kKickControl, plugin.get()) ||
      mosquitto_callback_register(id, MOSQ_EVT_DISCONNECT, OnDisconnect, nullptr, plugin.get()) ||
      mosquitto_callback_register(id, MOSQ_EVT_TICK, OnTick, nullptr, plugin.get())) {
    mosquitto_log_printf(MOSQ_LOG_ERR, "chat-plugin: cannot register the broker callbacks");
    Unregister(id);
    return MOSQ_ERR_UNKNOWN;
  }
  mosquitto_log_printf(
      MOSQ_LOG_INFO, "chat-plugin: ready (database %s, max payload %zu bytes, rate limits %s)",
      plugin->db_path.c_str(), plugin->policy.max_payload_bytes(), plugin->limits ? "on" : "off");
  *userdata = plugin.release();  // reclaimed by mosquitto_plugin_cleanup
  return MOSQ_ERR_SUCCESS;
}

}  // namespace

}  // namespace chat::plugin

CHAT_PLUGIN_EXPORT int mosquitto_plugin_version(int supported_version_count,
                                                const int* supported_versions) {
  for (int i = 0; i < supported_version_count; ++i) {
    if (supported_versions[i] == 5) return 5;
  }
  return -1;
}

CHAT_PLUGIN_EXPORT int mosquitto_plugin_init(mosquitto_plugin_id_t* identifier, void** userdata,
                                             mosquitto_opt* options, int option_count) {
  try {
    return chat::plugin::Init(identifier, userdata, options, option_count);
  } catch (const std::exception& e) {
    mosquitto_log_printf(MOSQ_LOG_ERR, "chat-plugin: cannot start: %s", e.what());
    return MOSQ_ERR_UNKNOWN;
  }
}

CHAT_PLUGIN_EXPORT int mosquitto_plugin_cleanup(void* userdata, mosquitto_opt*, int) {
  std::unique_ptr<chat::plugin::ChatPlugin> plugin(
      static_cast<chat::plugin::ChatPlugin*>(userdata));
  if (plugin) chat::plugin::Unregister(plugin->id);
  return MOSQ_ERR_SUCCESS;
}
