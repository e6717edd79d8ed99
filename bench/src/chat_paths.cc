// Chat devices and the 1:1 and group paths.
#include "chat_paths.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "chat/protocol.h"
#include "chat/topics.h"
#include "clock.h"
#include "progress.h"

namespace bench {

namespace {

using json = nlohmann::json;

}  // namespace

std::string SendCommand(const std::string& conv, uint64_t cmid, const BodyMarker& marker,
                        std::size_t message_bytes) {
  std::string head = R"({"type":"send","conv":")" + conv + R"(","cmid":"m)" + std::to_string(cmid) +
                     R"(","body":")";
  constexpr std::size_t kTail = 2;  // "}
  std::size_t overhead = head.size() + kTail;
  std::size_t body = message_bytes > overhead + 32 ? message_bytes - overhead : 32;
  return head + MakeBody(marker, body) + "\"}";
}

ChatDevices::ChatDevices(EventLoop& loop, ChatDeployment& deployment, int port,
                         MqttHandler& handler, const std::vector<std::string>& users)
    : loop_(loop), handler_(handler) {
  for (const auto& u : users) devices_.push_back({u, "d1", ""});
  deployment.Provision(devices_);
  for (std::size_t i = 0; i < devices_.size(); ++i) {
    const Device& d = devices_[i];
    up_topics_.push_back(chat::UpTopic(d.user, d.device));
    clients_.push_back(std::make_unique<MqttClient>(DeviceSpec(d.user, d.device, d.token, port),
                                                    handler, static_cast<int>(i)));
  }
}

std::string ChatDevices::Connect(int64_t deadline_ns) {
  std::vector<MqttClient*> all;
  for (auto& c : clients_) all.push_back(c.get());
  std::size_t ready = ConnectAll(loop_, all, 64, deadline_ns);
  if (ready == all.size()) return "";
  for (auto* c : all) {
    if (c->state() != MqttClient::State::kReady) {
      return std::to_string(ready) + " of " + std::to_string(all.size()) +
             " chat devices ready; first failure " + c->spec().client_id + " (CONNACK " +
             std::to_string(c->connack_code()) + ")";
    }
  }
  return "";
}

void ChatDevices::Command(std::size_t i, std::string_view json) {
  clients_[i]->Publish(up_topics_[i], json);
  loop_.MarkDirty(*clients_[i]);
}

bool ChatDevices::StartConnect(std::size_t i) { return loop_.Connect(*clients_[i]); }

void ChatDevices::Drop(std::size_t i, bool clean) {
  MqttClient& old = *clients_[i];
  loop_.Forget(old);  // the end is ours: the loop must not count it as lost
  if (clean) old.Disconnect();
  // Destroying the old client closes its socket.
  clients_[i] = std::make_unique<MqttClient>(old.spec(), handler_, old.tag());
}

ChatDirectPath::ChatDirectPath(EventLoop& loop, ChatDeployment& deployment, PathConfig config,
                               int pairs, std::string name)
    : loop_(loop),
      config_(config),
      pairs_(pairs),
      name_(std::move(name)),
      devices_(loop, deployment, config.port, *this, [&] {
        auto users = NumberedNames("bs", pairs);
        for (auto& r : NumberedNames("br", pairs)) users.push_back(r);
        return users;
      }()) {
  convs_.resize(static_cast<std::size_t>(pairs));
}

std::string ChatDirectPath::Setup(int64_t deadline_ns) {
  if (auto why = devices_.Connect(deadline_ns); !why.empty()) return why;
  for (int i = 0; i < pairs_; ++i) {
    const std::string& peer = devices_.device(static_cast<std::size_t>(pairs_ + i)).user;
    devices_.Command(static_cast<std::size_t>(i),
                     R"({"type":"conv.create","req_id":"c","with":")" + peer + "\"}");
  }
  auto all_open = [this] {
    for (const auto& c : convs_) {
      if (c.empty()) return false;
    }
    return true;
  };
  if (!loop_.RunUntil(all_open, deadline_ns)) return "chatd did not answer conv.create in time";
  return "";
}

void ChatDirectPath::Send(int sender, const BodyMarker& marker) {
  auto i = static_cast<std::size_t>(sender);
  devices_.Command(i, SendCommand(convs_[i], next_cmid_++, marker, config_.message_bytes));
}

void ChatDirectPath::OnMessage(MqttClient& client, std::string_view, std::string_view payload) {
  int tag = client.tag();
  if (tag >= pairs_) {
    if (!IsType(payload, "msg")) return;
    auto marker = FindMarker(payload);
    if (!marker) return sink_->OnPathError("msg without a marker");
    sink_->OnDelivered(tag - pairs_, *marker);
  } else if (IsType(payload, "accepted")) {
    sink_->OnConfirmed(tag);
  } else if (IsType(payload, "conv")) {
    convs_[static_cast<std::size_t>(tag)] = JsonStringField(payload, "conv");
  } else if (IsType(payload, "error")) {
    sink_->OnPathError(payload);
  }
}

bool HeldSeqs::Hold(int64_t seq) {
  if (seq <= contiguous_ || !above_.insert(seq).second) return false;
  Absorb();
  return true;
}

void HeldSeqs::HoldUpTo(int64_t seq) {
  if (seq <= contiguous_) return;
  contiguous_ = seq;
  above_.erase(above_.begin(), above_.upper_bound(seq));
  Absorb();
}

void HeldSeqs::Absorb() {
  while (!above_.empty() && *above_.begin() == contiguous_ + 1) {
    ++contiguous_;
    above_.erase(above_.begin());
  }
}

GroupCopies GroupCopies::operator-(const GroupCopies& e) const {
  return {live - e.live,   by_sync - e.by_sync, repeated - e.repeated,
          hints - e.hints, syncs - e.syncs,     pages - e.pages};
}

ChatGroupPath::ChatGroupPath(EventLoop& loop, ChatDeployment& deployment, PathConfig config,
                             int members)
    : loop_(loop),
      config_(config),
      devices_(loop, deployment, config.port, *this, NumberedNames("bg", members)),
      members_(devices_.size()) {}

std::string ChatGroupPath::Setup(int64_t deadline_ns) {
  if (auto why = devices_.Connect(deadline_ns); !why.empty()) return why;
  std::string create = R"({"type":"group.create","req_id":"g","title":"bench","members":[)";
  for (std::size_t i = 1; i < devices_.size(); ++i) {
    create += (i > 1 ? ",\"" : "\"") + devices_.device(i).user + "\"";
  }
  devices_.Command(0, create + "]}");
  auto answered = [this] { return !conv_.empty() || !setup_error_.empty(); };
  if (!loop_.RunUntil(answered, deadline_ns)) return "chatd did not answer group.create in time";
  return setup_error_;
}

void ChatGroupPath::Send(int, const BodyMarker& marker) {
  devices_.Command(0, SendCommand(conv_, next_cmid_++, marker, config_.message_bytes));
}

bool ChatGroupPath::MarkRead(std::size_t member) {
  int64_t seq = members_[member].held.highest();
  if (seq <= 0) return false;
  devices_.Command(
      member, R"({"type":"read","conv":")" + conv_ + R"(","seq":)" + std::to_string(seq) + "}");
  return true;
}

void ChatGroupPath::OnMessage(MqttClient& client, std::string_view, std::string_view payload) {
  auto m = static_cast<std::size_t>(client.tag());
  // A sync page first: the messages in it are `msg`s too.
  if (m != 0 && IsType(payload, "sync")) {
    OnSyncPage(m, payload);
  } else if (m != 0 && IsType(payload, "msg")) {
    OnLiveCopy(m, payload);
  } else if (m != 0 && IsType(payload, "head")) {
    OnHint(m, payload);
  } else if (IsType(payload, "receipt")) {
    ++receipt_events_;
    if (m == 0) ++receipts_applied_;
  } else if (IsType(payload, "error")) {
    if (m == 0 && conv_.empty()) {
      setup_error_ = "chatd answered group.create with " + JsonStringField(payload, "code");
      return;
    }
    if (m != 0 && JsonStringField(payload, "req_id") == "gs") members_[m].syncing = false;
    sink_->OnPathError(payload);
  } else if (m == 0 && IsType(payload, "conv") && JsonStringField(payload, "req_id") == "g") {
    conv_ = JsonStringField(payload, "conv");
  }
}

void ChatGroupPath::OnLiveCopy(std::size_t m, std::string_view payload) {
  Member& member = members_[m];
  int64_t seq = JsonIntField(payload, "seq");
  if (!member.held.Hold(seq)) {
    ++copies_.repeated;
    return;
  }
  ++copies_.live;
  member.head = std::max(member.head, seq);
  Deliver(payload);
  if (member.held.has_gap()) RequestSync(m);
}

void ChatGroupPath::OnHint(std::size_t m, std::string_view payload) {
  if (JsonStringField(payload, "conv") != conv_) return;
  ++copies_.hints;
  Member& member = members_[m];
  int64_t seq = JsonIntField(payload, "seq");
  member.head = std::max(member.head, seq);
  if (seq > member.held.contiguous()) RequestSync(m);
}

void ChatGroupPath::RequestSync(std::size_t m) {
  constexpr int64_t kSyncTimeoutNs = 10 * kNsPerSecond;  // the reply is QoS 0 too
  Member& member = members_[m];
  if (member.syncing && MonotonicNs() - member.sync_sent_ns < kSyncTimeoutNs) {
    member.sync_again = true;
    return;
  }
  member.syncing = true;
  member.sync_again = false;
  ++copies_.syncs;
  SendSync(m);
}

void ChatGroupPath::SendSync(std::size_t m) {
  json cursors{{conv_, members_[m].held.contiguous()}};
  json sync{{"type", "sync"},
            {"req_id", "gs"},
            {"cursors", std::move(cursors)},
            {"limit", chat::protocol::kDefaultSyncLimit}};
  members_[m].sync_sent_ns = MonotonicNs();
  devices_.Command(m, sync.dump());
}

void ChatGroupPath::OnSyncPage(std::size_t m, std::string_view payload) {
  Member& member = members_[m];
  json page = json::parse(payload, nullptr, false);
  if (page.is_discarded() || !member.syncing) return;
  ++copies_.pages;
  for (const json& msg : page.value("messages", json::array())) {
    if (msg.value("conv", "") != conv_) continue;
    int64_t seq = msg.value("seq", int64_t{0});
    if (!member.held.Hold(seq)) {
      ++copies_.repeated;
      continue;
    }
    ++copies_.by_sync;
    member.head = std::max(member.head, seq);
    Deliver(msg.value("body", ""));
  }
  member.held.HoldUpTo(page.value("cursors", json::object()).value(conv_, int64_t{0}));
  if (page.value("more", false)) return SendSync(m);
  member.syncing = false;
  bool behind = member.held.has_gap() || member.head > member.held.contiguous();
  if (member.sync_again && behind) RequestSync(m);
}

void ChatGroupPath::Deliver(std::string_view text) {
  auto marker = FindMarker(text);
  if (!marker) return;  // system messages carry no marker
  sink_->OnDelivered(0, *marker);
  if (CountCopy(copies_seen_, marker->seq, copies_per_message())) sink_->OnConfirmed(0);
}

}  // namespace bench
