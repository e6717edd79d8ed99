// Filling the offline user's conversations, then timing its sync.
#include "catch_up.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "chat/protocol.h"
#include "chat_paths.h"
#include "clock.h"
#include "progress.h"

namespace bench {

namespace {

using json = nlohmann::json;

// Peers cp{i} each write to the reader "cx"; then the reader syncs. The
// fill paces itself by chatd's answers (CatchUpOptions::window), so a slow
// machine fills more slowly instead of failing.
class CatchUpRun : public MqttHandler {
 public:
  CatchUpRun(EventLoop& loop, ChatDeployment& deployment, const CatchUpOptions& o)
      : loop_(loop),
        o_(o),
        peers_(loop, deployment, o.port, *this, NumberedNames("cp", o.conversations)),
        reader_(loop, deployment, o.port, *this, {"cx"}),
        convs_(static_cast<std::size_t>(o.conversations)),
        quota_(static_cast<std::size_t>(o.conversations)),
        window_(o.conversations),
        max_window_(static_cast<double>(o.conversations) * std::max(1, o.window)) {
    for (int i = 0; i < o.conversations; ++i) {
      quota_[static_cast<std::size_t>(i)] =
          o.messages / o.conversations + (i < o.messages % o.conversations ? 1 : 0);
    }
  }

  // Stores every message; fails when nothing is accepted for fill_stall_s,
  // or at `deadline`.
  void Fill(int64_t deadline, CatchUpResult& r) {
    if (r.error = peers_.Connect(deadline); !r.error.empty()) return;
    for (std::size_t i = 0; i < peers_.size(); ++i) {
      peers_.Command(i, R"({"type":"conv.create","req_id":"c","with":"cx"})");
    }
    auto opened = [this] { return opened_ == peers_.size(); };
    if (!loop_.RunUntil(opened, deadline)) r.error = "conv.create was not answered in time";
    int64_t t0 = MonotonicNs();
    last_accepted_ns_ = t0;
    const auto stall_ns = static_cast<int64_t>(o_.fill_stall_s * kNsPerSecond);
    while (r.error.empty() && error_.empty() && accepted_ < o_.messages) {
      int64_t now = MonotonicNs();
      if (now - last_accepted_ns_ >= stall_ns || now >= deadline) {
        r.error = "filling stalled: " + std::to_string(accepted_) + " of " +
                  std::to_string(o_.messages) + " accepted, none for " +
                  std::to_string(static_cast<int>(SecondsBetween(last_accepted_ns_, now))) + " s";
        break;
      }
      ResendDue(now);
      Pump();
      loop_.RunOnce(100 * kNsPerMs);
    }
    if (r.error.empty()) r.error = error_;
    r.fill_s = SecondsBetween(t0, MonotonicNs());
    r.messages_stored = accepted_;
    r.fill_resends = resends_;
    r.fill_errors = errors_;
  }

  void Sync(int64_t deadline, CatchUpResult& r) {
    if (r.error = reader_.Connect(deadline); !r.error.empty()) return;
    int64_t t0 = MonotonicNs();
    RequestPage(json::object());
    if (!loop_.RunUntil([this] { return done_; }, deadline))
      r.error = "sync did not finish in time";
    r.sync_s = SecondsBetween(t0, last_page_ns_);
    r.pages = pages_;
    r.messages_received = received_;
  }

  void OnMessage(MqttClient& client, std::string_view, std::string_view payload) override {
    if (&client == &reader_.client(0)) return OnReaderMessage(payload);
    auto i = static_cast<std::size_t>(client.tag());
    if (IsType(payload, "accepted")) {
      // A repeat's answer names a cmid already answered: counted once.
      if (pending_.erase(JsonStringField(payload, "cmid")) == 0) return;
      ++accepted_;
      last_accepted_ns_ = MonotonicNs();
      window_ = std::min(max_window_, window_ + 1);
      Pump();
    } else if (IsType(payload, "error")) {
      OnError(i, payload);
    } else if (IsType(payload, "conv") && convs_[i].empty()) {
      convs_[i] = JsonStringField(payload, "conv");
      ++opened_;
    }
  }

 private:
  struct Pending {
    std::size_t peer = 0;
    std::string command;
    int64_t resend_ns = 0;  // when it is sent again unless answered
  };

  // Sends new messages, round robin over the peers with some left, while
  // fewer than the window are unanswered.
  void Pump() {
    std::size_t peers = peers_.size();
    for (std::size_t idle = 0; idle < peers && static_cast<double>(pending_.size()) < window_;) {
      std::size_t i = next_peer_++ % peers;
      if (quota_[i] == 0) {
        ++idle;
        continue;
      }
      idle = 0;
      --quota_[i];
      uint64_t cmid = next_cmid_++;
      std::string command =
          SendCommand(convs_[i], cmid, {MonotonicNs(), NextSequence()}, o_.message_bytes);
      peers_.Command(i, command);
      std::string key(1, 'm');  // as SendCommand spells it
      key += std::to_string(cmid);
      pending_[key] = {i, std::move(command), MonotonicNs() + ResendAfterNs()};
    }
  }

  // An error naming a cmid concerns that send; one without (the plugin's
  // `unavailable`, a rate limit) every unanswered send of the peer. Either
  // is sent again after `retry_after_ms` when the error says to retry; any
  // other error is a failure of the scenario.
  void OnError(std::size_t peer, std::string_view payload) {
    ++errors_;
    int64_t retry_ms = JsonIntField(payload, "retry_after_ms");
    auto code = chat::protocol::ParseErrorCode(JsonStringField(payload, "code"));
    if (retry_ms <= 0 && !(code && chat::protocol::IsRetryable(*code))) {
      if (error_.empty()) error_ = "a send was refused: " + std::string(payload.substr(0, 200));
      return;
    }
    window_ = std::max(1.0, window_ / 2);
    int64_t at = MonotonicNs() + std::max<int64_t>(retry_ms, 100) * kNsPerMs;
    std::string cmid = JsonStringField(payload, "cmid");
    for (auto& [id, p] : pending_) {
      if (cmid.empty() ? p.peer == peer : id == cmid) p.resend_ns = std::min(p.resend_ns, at);
    }
  }

  // Sends again, with the same cmid, what is due; halves the window once
  // per pass when anything went unanswered.
  void ResendDue(int64_t now) {
    bool any = false;
    for (auto& [id, p] : pending_) {
      if (p.resend_ns > now) continue;
      peers_.Command(p.peer, p.command);
      p.resend_ns = now + ResendAfterNs();
      ++resends_;
      any = true;
    }
    if (any) window_ = std::max(1.0, window_ / 2);
  }

  int64_t ResendAfterNs() const { return static_cast<int64_t>(o_.resend_after_s * kNsPerSecond); }

  void RequestPage(const json& cursors) {
    json sync{{"type", "sync"},
              {"req_id", "s" + std::to_string(pages_)},
              {"cursors", cursors},
              {"limit", o_.sync_limit}};
    reader_.Command(0, sync.dump());
  }

  void OnReaderMessage(std::string_view payload) {
    if (!IsType(payload, "sync")) return;
    json page = json::parse(payload, nullptr, false);
    if (page.is_discarded()) return;
    ++pages_;
    received_ += static_cast<int>(page.value("messages", json::array()).size());
    last_page_ns_ = MonotonicNs();
    if (page.value("more", false)) {
      RequestPage(page.value("cursors", json::object()));
    } else {
      done_ = true;
    }
  }

  EventLoop& loop_;
  CatchUpOptions o_;
  ChatDevices peers_;
  ChatDevices reader_;
  std::vector<std::string> convs_;
  std::vector<int> quota_;
  std::size_t opened_ = 0;
  double window_;
  const double max_window_;
  std::unordered_map<std::string, Pending> pending_;  // by cmid
  std::size_t next_peer_ = 0;
  int accepted_ = 0, resends_ = 0, errors_ = 0;
  int64_t last_accepted_ns_ = 0;
  std::string error_;  // a refusal that no retry can help
  uint64_t next_cmid_ = 0;
  int pages_ = 0;
  int received_ = 0;
  int64_t last_page_ns_ = 0;
  bool done_ = false;
};

}  // namespace

CatchUpResult RunCatchUp(EventLoop& loop, ChatDeployment& deployment, const CatchUpOptions& o) {
  CatchUpResult r;
  r.conversations = o.conversations;
  CatchUpRun run(loop, deployment, o);
  // The fill's own bound is its stall time; this one only keeps it finite.
  run.Fill(MonotonicNs() + 900 * kNsPerSecond, r);
  if (!r.error.empty()) return r;
  run.Sync(MonotonicNs() + 60 * kNsPerSecond, r);
  r.missing = std::max(0, r.messages_stored - r.messages_received);
  if (r.error.empty() && r.messages_received != r.messages_stored) {
    r.error = "sync returned " + std::to_string(r.messages_received) + " of " +
              std::to_string(r.messages_stored) + " messages";
  }
  return r;
}

}  // namespace bench
