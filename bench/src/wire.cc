// The wire scenario's five measurements: raw MQTT, chat 1:1 at chat pace and
// fast, a group, and a catch-up after being offline. Chat devices are the
// client library's ChatClient with its default options, as an app uses it;
// each has an app thread taking its events.
#include "wire.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "chat/client/chat_client.h"
#include "clock.h"
#include "event_loop.h"
#include "machine_info.h"
#include "mqtt_client.h"
#include "progress.h"

namespace bench {

namespace {

namespace client = chat::client;
using std::chrono::milliseconds;

// Every counted body starts with the marker and its index; the relay counts
// the marker in the byte streams, so a body that crosses twice counts twice
// whatever the protocol wraps around it.
constexpr std::string_view kMarker = "wIrEmSg";
constexpr int kIndexDigits = 8;
constexpr const char* kRawTopic = "bench/raw";
constexpr milliseconds kConnectTimeout{10000};

std::string Body(int64_t index, std::size_t bytes) {
  char head[32];
  std::snprintf(head, sizeof head, "%.*s%0*lld.", static_cast<int>(kMarker.size()), kMarker.data(),
                kIndexDigits, static_cast<long long>(index));
  std::string body = head;
  if (body.size() < bytes) body.append(bytes - body.size(), 'x');
  return body;
}

// The index of a marked body; -1 for any other text.
int64_t IndexOf(std::string_view body) {
  auto at = body.find(kMarker);
  if (at == std::string_view::npos || body.size() < at + kMarker.size() + kIndexDigits) return -1;
  int64_t index = 0;
  for (char c : body.substr(at + kMarker.size(), kIndexDigits)) {
    if (c < '0' || c > '9') return -1;
    index = index * 10 + (c - '0');
  }
  return index;
}

// What one recipient's app got: each index once, in increasing order.
class CopyCheck {
 public:
  void Record(int64_t index) {
    if (!seen_.insert(index).second) {
      ++duplicates_;
      return;
    }
    if (index < highest_) ++out_of_order_;
    highest_ = std::max(highest_, index);
  }
  uint64_t distinct() const { return seen_.size(); }
  uint64_t duplicates() const { return duplicates_; }
  uint64_t out_of_order() const { return out_of_order_; }

 private:
  std::set<int64_t> seen_;
  int64_t highest_ = -1;
  uint64_t duplicates_ = 0, out_of_order_ = 0;
};

// Waits until the relay's byte counts have not moved for `quiet_ms`, or `max_ms`.
void WaitQuiet(const WireRelay& relay, int quiet_ms, int max_ms) {
  int64_t end = MonotonicNs() + max_ms * kNsPerMs;
  uint64_t last = SumOf(relay.Snapshot()).bytes();
  int64_t since = MonotonicNs();
  while (MonotonicNs() < end) {
    std::this_thread::sleep_for(milliseconds(50));
    uint64_t now = SumOf(relay.Snapshot()).bytes();
    if (now != last) {
      last = now;
      since = MonotonicNs();
    } else if (MonotonicNs() - since >= quiet_ms * kNsPerMs) {
      return;
    }
  }
}

// Polls `done` every 10 ms until it holds or the deadline passes.
bool WaitFor(const std::function<bool()>& done, int64_t deadline_ns) {
  while (!done()) {
    if (MonotonicNs() > deadline_ns) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

// Events an app took of one type, and their topics' and payloads' bytes.
struct EventCount {
  uint64_t events = 0;
  uint64_t bytes = 0;
};

// A chat device as an app runs it: a ChatClient with default options and a
// thread that takes every event. Threads: the app thread writes the
// observations under mu_; the scenario reads them from its own thread.
class AppDevice {
 public:
  AppDevice(const Device& d, int port)
      : user_(d.user),
        chat_({.host = "127.0.0.1",
               .port = port,
               .user = d.user,
               .device = d.device,
               .token = d.token}) {}
  ~AppDevice() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    chat_.Disconnect();
  }

  std::string Connect() {
    client::ConnectResult r = chat_.Connect(kConnectTimeout);
    if (!r.ok()) return user_ + " could not connect: " + r.status.message();
    if (!thread_.joinable()) thread_ = std::thread([this] { TakeEvents(); });
    return "";
  }
  client::ChatClient& chat() { return chat_; }

  CopyCheck copies() const {
    std::lock_guard lock(mu_);
    return copies_;
  }
  uint64_t distinct() const { return copies().distinct(); }
  std::size_t accepted() const {
    std::lock_guard lock(mu_);
    return accepted_.size();
  }
  // The seq the backend gave the send `cmid`; 0 while unknown.
  int64_t AcceptedSeq(const std::string& cmid) const {
    std::lock_guard lock(mu_);
    auto it = accepted_.find(cmid);
    return it == accepted_.end() ? 0 : it->second;
  }
  // When `user`'s delivered cursor reached `seq` in a receipt here; 0: not yet.
  int64_t ReceiptNs(const std::string& user, int64_t seq) const {
    std::lock_guard lock(mu_);
    auto it = receipts_.find(user);
    if (it == receipts_.end()) return 0;
    for (const auto& [delivered, ns] : it->second) {
      if (delivered >= seq) return ns;
    }
    return 0;
  }
  // Events taken since the last call, by type.
  std::map<std::string, EventCount> TakeEventCounts() {
    std::lock_guard lock(mu_);
    return std::exchange(event_counts_, {});
  }

 private:
  void TakeEvents() {
    while (!stop_) {
      std::optional<client::Event> e = chat_.NextEvent(milliseconds(50));
      if (!e) continue;
      int64_t now = MonotonicNs();
      std::lock_guard lock(mu_);
      // Receipts split by whose cursor moved: the device's own user's, or a peer's.
      bool own_receipt = e->Is(client::event_type::kReceipt) && e->user == user_;
      EventCount& count = event_counts_[own_receipt ? e->type + " (own)" : e->type];
      ++count.events;
      count.bytes += e->topic.size() + e->raw.size();
      if (e->Is(client::event_type::kMsg) && e->from != user_) {
        if (int64_t index = IndexOf(e->body); index >= 0) copies_.Record(index);
      } else if (e->Is(client::event_type::kAccepted)) {
        accepted_[e->cmid] = e->seq;
      } else if (e->Is(client::event_type::kReceipt) && e->user != user_) {
        auto& list = receipts_[e->user];
        if (list.empty() || e->delivered > list.back().first) list.emplace_back(e->delivered, now);
      }
    }
  }

  std::string user_;
  client::ChatClient chat_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  CopyCheck copies_;
  std::map<std::string, int64_t> accepted_;                                   // cmid -> seq
  std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> receipts_;  // delivered, ns
  std::map<std::string, EventCount> event_counts_;
  std::thread thread_;  // last: started after everything it uses
};

std::vector<Device> Provision(ChatDeployment& deployment, const std::vector<std::string>& users) {
  std::vector<Device> devices;
  for (const auto& u : users) devices.push_back({u, "phone", ""});
  deployment.Provision(devices);
  return devices;
}

// Connects every device (in order); the first failure, or "".
std::string ConnectAll(std::vector<std::unique_ptr<AppDevice>>& apps) {
  for (auto& app : apps) {
    if (std::string why = app->Connect(); !why.empty()) return why;
  }
  return "";
}

// "msg 120 x 251 B, receipt 226 x 120 B": events and their mean topic + payload size.
std::string FormatCounts(const std::map<std::string, EventCount>& counts) {
  std::string out;
  for (const auto& [type, n] : counts) {
    out += (out.empty() ? "" : ", ") + type + " " + std::to_string(n.events) + " x " +
           std::to_string(n.events ? n.bytes / n.events : 0) + " B";
  }
  return out;
}

// Fills in delivery, missing, duplicates and order from the recipients' apps.
void CheckCopies(WireFigure& f, const std::vector<AppDevice*>& recipients, uint64_t per_recipient) {
  f.expected = per_recipient * recipients.size();
  for (const AppDevice* r : recipients) {
    CopyCheck c = r->copies();
    f.delivered += c.distinct();
    f.duplicates += c.duplicates();
    f.out_of_order += c.out_of_order();
  }
  f.missing = f.expected > f.delivered ? f.expected - f.delivered : 0;
}

std::string EventsOf(std::vector<std::unique_ptr<AppDevice>>& apps) {
  std::map<std::string, EventCount> all;
  for (auto& app : apps) {
    for (const auto& [type, n] : app->TakeEventCounts()) {
      all[type].events += n.events;
      all[type].bytes += n.bytes;
    }
  }
  return FormatCounts(all);
}

WireFigure MeasureRaw(const WireOptions& o) {
  WireFigure f;
  f.name = "raw";
  f.detail = "MQTT QoS 1 pub -> sub on `" + std::string(kRawTopic) + "`, " +
             std::to_string(o.body_bytes) + "-byte payloads, window 100";
  WireRelay relay(o.raw_port, std::string(kMarker));
  struct Subscriber : MqttHandler {
    CopyCheck copies;
    void OnMessage(MqttClient&, std::string_view, std::string_view payload) override {
      if (int64_t index = IndexOf(payload); index >= 0) copies.Record(index);
    }
  } handler;
  EventLoop loop;
  MqttClient pub(AnonymousSpec("wire-raw-pub", relay.port()), handler, 0);
  MqttClient sub(AnonymousSpec("wire-raw-sub", relay.port(), {kRawTopic}), handler, 1);
  int64_t deadline = MonotonicNs() + 60 * kNsPerSecond;
  if (ConnectAll(loop, {&pub, &sub}, 2, MonotonicNs() + 10 * kNsPerSecond) != 2) {
    f.error = "raw clients could not connect";
    return f;
  }
  WaitQuiet(relay, 200, 2000);
  LegTally base = SumOf(relay.Snapshot());
  int64_t t0 = MonotonicNs();
  int64_t sent = 0;
  auto done = [&] { return handler.copies.distinct() >= static_cast<uint64_t>(o.raw_messages); };
  while (!done() && MonotonicNs() < deadline) {
    while (sent < o.raw_messages && sent - static_cast<int64_t>(handler.copies.distinct()) < 100) {
      pub.Publish(kRawTopic, Body(++sent, o.body_bytes));
    }
    loop.MarkDirty(pub);
    loop.RunOnce(5 * kNsPerMs);
  }
  // The last PUBACKs: run the loop until the relay is quiet.
  uint64_t last = 0;
  for (int quiet = 0; quiet < 10 && MonotonicNs() < deadline;) {
    loop.RunOnce(20 * kNsPerMs);
    uint64_t now = SumOf(relay.Snapshot()).bytes();
    quiet = now == last ? quiet + 1 : 0;
    last = now;
  }
  f.seconds = SecondsBetween(t0, MonotonicNs());
  f.counted = Minus(SumOf(relay.Snapshot()), base);
  f.setup = base;
  f.expected = static_cast<uint64_t>(o.raw_messages);
  f.delivered = handler.copies.distinct();
  f.duplicates = handler.copies.duplicates();
  f.out_of_order = handler.copies.out_of_order();
  f.missing = f.expected - std::min(f.expected, f.delivered);
  if (!done()) f.error = "not every message arrived within 60 s";
  return f;
}

// Alice sends `count` messages to bob, `per_s` a second (0: as fast as the
// outbox window lets her), and waits for bob's `delivered` receipt of the last.
WireFigure MeasureDirect(ChatDeployment& deployment, const WireOptions& o, const std::string& name,
                         const std::string& prefix, int count, double per_s) {
  WireFigure f;
  f.name = name;
  f.detail = std::to_string(count) + " messages of " + std::to_string(o.body_bytes) +
             "-byte bodies, " + (per_s > 0 ? std::to_string(per_s).substr(0, 4) + "/s" : "fast");
  std::vector<Device> devices = Provision(deployment, {prefix + "-a", prefix + "-b"});
  WireRelay relay(o.chat_port, std::string(kMarker));
  std::vector<std::unique_ptr<AppDevice>> apps;
  for (const Device& d : devices) apps.push_back(std::make_unique<AppDevice>(d, relay.port()));
  AppDevice &alice = *apps[0], &bob = *apps[1];
  if (f.error = ConnectAll(apps); !f.error.empty()) return f;
  WaitQuiet(relay, 500, 5000);
  f.setup = SumOf(relay.Snapshot());
  EventsOf(apps);
  int64_t t0 = MonotonicNs();
  int64_t deadline = t0 + static_cast<int64_t>((per_s > 0 ? count / per_s : 0) + 60) * kNsPerSecond;
  std::string last_cmid;
  int64_t last_send_ns = 0;
  for (int i = 1; i <= count; ++i) {
    if (per_s > 0) {
      std::this_thread::sleep_until(SteadyAt(t0 + static_cast<int64_t>((i - 1) / per_s * 1e9)));
    }
    client::SendResult sent =
        alice.chat().Send({.to = devices[1].user, .body = Body(i, o.body_bytes)});
    if (!sent.status.ok()) {
      f.error = "Send failed: " + sent.status.message();
      return f;
    }
    last_cmid = sent.cmid;
    last_send_ns = MonotonicNs();
  }
  int64_t receipt_ns = 0;
  bool complete = WaitFor(
      [&] {
        int64_t seq = alice.AcceptedSeq(last_cmid);
        if (seq > 0 && receipt_ns == 0) receipt_ns = alice.ReceiptNs(devices[1].user, seq);
        return bob.distinct() >= static_cast<uint64_t>(count) && receipt_ns > 0;
      },
      deadline);
  WaitQuiet(relay, 500, 5000);
  f.seconds = SecondsBetween(t0, MonotonicNs());
  f.counted = Minus(SumOf(relay.Snapshot()), f.setup);
  f.app_events = EventsOf(apps);
  CheckCopies(f, {&bob}, static_cast<uint64_t>(count));
  if (receipt_ns > 0) f.receipt_ms = static_cast<double>(receipt_ns - last_send_ns) / kNsPerMs;
  if (!complete) f.error = "bob's copies or the last receipt did not arrive in time";
  return f;
}

// Member 0 of a group sends at chat pace; each of the others should get every message.
WireFigure MeasureGroup(ChatDeployment& deployment, const WireOptions& o) {
  WireFigure f;
  f.name = "group of " + std::to_string(o.group_size);
  f.detail = std::to_string(o.group_messages) + " messages of " + std::to_string(o.body_bytes) +
             "-byte bodies from one member, " + std::to_string(o.pace_per_s).substr(0, 4) +
             "/s; per delivered copy";
  std::vector<std::string> users;
  for (int i = 0; i < o.group_size; ++i) users.push_back("wg" + std::to_string(i));
  std::vector<Device> devices = Provision(deployment, users);
  WireRelay relay(o.chat_port, std::string(kMarker));
  std::vector<std::unique_ptr<AppDevice>> apps;
  for (const Device& d : devices) apps.push_back(std::make_unique<AppDevice>(d, relay.port()));
  if (f.error = ConnectAll(apps); !f.error.empty()) return f;
  AppDevice& sender = *apps[0];
  client::RequestResult made =
      sender.chat().CreateGroup("wire", std::vector<std::string>(users.begin() + 1, users.end()));
  std::optional<client::Event> reply =
      made.status.ok() ? sender.chat().WaitForReply(made.req_id, kConnectTimeout) : std::nullopt;
  if (!reply || reply->conv.empty()) {
    f.error = "group.create was not answered: " + (reply ? reply->code : made.status.message());
    return f;
  }
  WaitQuiet(relay, 500, 5000);
  f.setup = SumOf(relay.Snapshot());
  EventsOf(apps);
  int64_t t0 = MonotonicNs();
  int64_t deadline = t0 + static_cast<int64_t>(o.group_messages / o.pace_per_s + 60) * kNsPerSecond;
  std::string last_cmid;
  int64_t last_send_ns = 0;
  for (int i = 1; i <= o.group_messages; ++i) {
    std::this_thread::sleep_until(
        SteadyAt(t0 + static_cast<int64_t>((i - 1) / o.pace_per_s * 1e9)));
    client::SendResult sent =
        sender.chat().Send({.conv = reply->conv, .body = Body(i, o.body_bytes)});
    if (!sent.status.ok()) {
      f.error = "Send failed: " + sent.status.message();
      return f;
    }
    last_cmid = sent.cmid;
    last_send_ns = MonotonicNs();
  }
  std::vector<AppDevice*> recipients;
  for (std::size_t i = 1; i < apps.size(); ++i) recipients.push_back(apps[i].get());
  bool complete = WaitFor(
      [&] {
        int64_t seq = sender.AcceptedSeq(last_cmid);
        if (seq == 0) return false;
        for (std::size_t i = 1; i < apps.size(); ++i) {
          if (apps[i]->distinct() < static_cast<uint64_t>(o.group_messages)) return false;
          if (sender.ReceiptNs(users[i], seq) == 0) return false;
        }
        return true;
      },
      deadline);
  WaitQuiet(relay, 500, 5000);
  f.seconds = SecondsBetween(t0, MonotonicNs());
  f.counted = Minus(SumOf(relay.Snapshot()), f.setup);
  f.app_events = EventsOf(apps);
  CheckCopies(f, recipients, static_cast<uint64_t>(o.group_messages));
  if (complete) {  // the last of the members' receipts for the last message
    int64_t seq = sender.AcceptedSeq(last_cmid), last_receipt_ns = 0;
    for (std::size_t i = 1; i < apps.size(); ++i) {
      last_receipt_ns = std::max(last_receipt_ns, sender.ReceiptNs(users[i], seq));
    }
    f.receipt_ms = static_cast<double>(last_receipt_ns - last_send_ns) / kNsPerMs;
  }
  if (!complete) f.error = "copies or the senders' receipts did not arrive in time";
  return f;
}

// Bob's device goes offline (its session stays), alice sends; bob's leg is
// counted from his reconnect until it is quiet after he has everything.
WireFigure MeasureCatchUp(ChatDeployment& deployment, const WireOptions& o) {
  WireFigure f;
  f.name = std::string(kWireCatchUpFigure);
  f.detail = std::to_string(o.catch_up_messages) + " messages of " + std::to_string(o.body_bytes) +
             "-byte bodies sent while bob was offline; bob's leg "
             "from his reconnect";
  std::vector<Device> devices = Provision(deployment, {"wc-a", "wc-b"});
  WireRelay relay(o.chat_port, std::string(kMarker));
  std::vector<std::unique_ptr<AppDevice>> apps;
  for (const Device& d : devices) apps.push_back(std::make_unique<AppDevice>(d, relay.port()));
  AppDevice &alice = *apps[0], &bob = *apps[1];
  if (f.error = ConnectAll(apps); !f.error.empty()) return f;
  // One unmarked message first, so that the conversation exists before bob leaves.
  client::SendResult hello = alice.chat().Send({.to = devices[1].user, .body = "hello"});
  if (!alice.chat().WaitForAcceptance(hello.cmid, kConnectTimeout)) {
    f.error = "the first message was not accepted";
    return f;
  }
  WaitQuiet(relay, 500, 5000);
  bob.chat().Disconnect();
  int64_t fill_deadline = MonotonicNs() + 180 * kNsPerSecond;
  for (int i = 1; i <= o.catch_up_messages; ++i) {
    client::SendResult sent =
        alice.chat().Send({.to = devices[1].user, .body = Body(i, o.body_bytes)});
    if (!sent.status.ok()) {
      f.error = "Send failed: " + sent.status.message();
      return f;
    }
  }
  auto all_accepted = [&] {
    return alice.accepted() >= static_cast<std::size_t>(o.catch_up_messages) + 1;
  };
  if (!WaitFor(all_accepted, fill_deadline)) {
    f.error = "alice's messages were not all accepted within 180 s";
    return f;
  }
  WaitQuiet(relay, 500, 5000);
  const std::string bob_id = devices[1].user + ":" + devices[1].device;
  LegTally base = relay.Snapshot()[bob_id];
  EventsOf(apps);
  int64_t t0 = MonotonicNs();
  if (f.error = bob.Connect(); !f.error.empty()) return f;
  bool complete =
      WaitFor([&] { return bob.distinct() >= static_cast<uint64_t>(o.catch_up_messages); },
              t0 + 120 * kNsPerSecond);
  f.catch_up_s = SecondsBetween(t0, MonotonicNs());
  WaitQuiet(relay, 1000, 30000);  // replays still coming count too
  f.seconds = SecondsBetween(t0, MonotonicNs());
  f.counted = Minus(relay.Snapshot()[bob_id], base);
  f.setup = base;
  f.app_events = EventsOf(apps);
  CheckCopies(f, {&bob}, static_cast<uint64_t>(o.catch_up_messages));
  if (!complete) f.error = "bob did not get every message within 120 s";
  return f;
}

}  // namespace

std::string DescribeWireFigure(const WireFigure& f) {
  const DirectionTally &up = f.counted.up, &down = f.counted.down;
  auto per = [&](uint64_t v) { return std::to_string(std::lround(f.PerMessage(v))); };
  auto of = [&](int type) {
    return up.by_type[static_cast<std::size_t>(type)].bytes +
           down.by_type[static_cast<std::size_t>(type)].bytes;
  };
  auto packets = [&](int type) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f",
                  f.PerMessage(up.by_type[static_cast<std::size_t>(type)].packets +
                               down.by_type[static_cast<std::size_t>(type)].packets));
    return std::string(text);
  };
  uint64_t other = f.counted.bytes() - of(kPublish) - of(kPuback);
  std::string line = f.name + ": " + std::to_string(f.delivered) + "/" +
                     std::to_string(f.expected) + " delivered, " + std::to_string(f.missing) +
                     " missing, " + std::to_string(f.duplicates) + " duplicates, " +
                     std::to_string(f.out_of_order) + " out of order; " + per(f.counted.bytes()) +
                     " B/msg (up " + per(up.bytes) + ", down " + per(down.bytes) + "; PUBLISH " +
                     per(of(kPublish)) + " in " + packets(kPublish) + " packets, PUBACK " +
                     per(of(kPuback)) + " in " + packets(kPuback) + ", other " + per(other) +
                     "); body copies on the wire " + std::to_string(up.body_copies) + " up, " +
                     std::to_string(down.body_copies) + " down";
  char extra[96] = "";
  if (f.receipt_ms >= 0) std::snprintf(extra, sizeof extra, "; last receipt %.0f ms", f.receipt_ms);
  if (f.catch_up_s >= 0) std::snprintf(extra, sizeof extra, "; all in %.2f s", f.catch_up_s);
  line += extra;
  line += "; before counting " + std::to_string(f.setup.bytes()) + " B";
  if (!f.error.empty()) line += "; ERROR: " + f.error;
  return line;
}

WireResult RunWire(ChatDeployment& deployment, const WireOptions& o) {
  WireResult r;
  r.raw_topic = kRawTopic;
  auto run = [&](const std::string& name, const std::function<WireFigure()>& measure) {
    WireFigure f;
    try {
      f = measure();
    } catch (const std::exception& e) {
      f.name = name;
      f.error = e.what();
    }
    Say("wire", DescribeWireFigure(f));
    if (!f.app_events.empty()) Say("wire", f.name + ": events the apps took: " + f.app_events);
    r.figures.push_back(std::move(f));
  };
  Say("wire", "raw MQTT on topic `" + r.raw_topic + "`, then chat through the client library");
  run("raw", [&] { return MeasureRaw(o); });
  run(std::string(kWirePaceFigure), [&] {
    return MeasureDirect(deployment, o, std::string(kWirePaceFigure), "wp", o.pace_messages,
                         o.pace_per_s);
  });
  run("1:1 fast",
      [&] { return MeasureDirect(deployment, o, "1:1 fast", "wf", o.fast_messages, 0); });
  run("group", [&] { return MeasureGroup(deployment, o); });
  run(std::string(kWireCatchUpFigure), [&] { return MeasureCatchUp(deployment, o); });
  return r;
}

}  // namespace bench
