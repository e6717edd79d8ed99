// Filling the offline user's conversations, then timing its sync.
#include "catch_up.h"

#include <nlohmann/json.hpp>

#include "chat_paths.h"
#include "clock.h"

namespace bench {

namespace {

using json = nlohmann::json;

std::vector<std::string> PeerNames(int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) names.push_back("cp" + std::to_string(i));
  return names;
}

// Peers cp{i} each write to the reader "cx"; then the reader syncs.
class CatchUpRun : public MqttHandler {
 public:
  CatchUpRun(EventLoop& loop, ChatDeployment& deployment, const CatchUpOptions& o)
      : loop_(loop),
        o_(o),
        peers_(loop, deployment, o.port, *this, PeerNames(o.conversations)),
        reader_(loop, deployment, o.port, *this, {"cx"}),
        convs_(static_cast<std::size_t>(o.conversations)),
        quota_(static_cast<std::size_t>(o.conversations)) {
    for (int i = 0; i < o.conversations; ++i) {
      quota_[static_cast<std::size_t>(i)] =
          o.messages / o.conversations + (i < o.messages % o.conversations ? 1 : 0);
    }
  }

  void Fill(int64_t deadline, CatchUpResult& r) {
    if (r.error = peers_.Connect(deadline); !r.error.empty()) return;
    for (std::size_t i = 0; i < peers_.size(); ++i) {
      peers_.Command(i, R"({"type":"conv.create","req_id":"c","with":"cx"})");
    }
    auto opened = [this] { return opened_ == peers_.size(); };
    if (!loop_.RunUntil(opened, deadline)) r.error = "conv.create was not answered in time";
    int64_t t0 = MonotonicNs();
    for (std::size_t i = 0; i < peers_.size(); ++i) {
      for (int k = 0; k < o_.window && quota_[i] > 0; ++k) SendNext(i);
    }
    auto filled = [&] { return accepted_ == o_.messages; };
    if (r.error.empty() && !loop_.RunUntil(filled, deadline)) r.error = "filling timed out";
    r.fill_s = SecondsBetween(t0, MonotonicNs());
    r.messages_stored = accepted_;
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
    if (payload.find(R"("type":"accepted")") != std::string_view::npos) {
      ++accepted_;
      if (quota_[i] > 0) SendNext(i);
    } else if (payload.find(R"("type":"conv")") != std::string_view::npos && convs_[i].empty()) {
      convs_[i] = JsonStringField(payload, "conv");
      ++opened_;
    }
  }

 private:
  void SendNext(std::size_t i) {
    --quota_[i];
    peers_.Command(
        i, SendCommand(convs_[i], next_cmid_++, {MonotonicNs(), NextSequence()}, o_.message_bytes));
  }

  void RequestPage(const json& cursors) {
    json sync{{"type", "sync"},
              {"req_id", "s" + std::to_string(pages_)},
              {"cursors", cursors},
              {"limit", o_.sync_limit}};
    reader_.Command(0, sync.dump());
  }

  void OnReaderMessage(std::string_view payload) {
    if (payload.find(R"("type":"sync")") == std::string_view::npos) return;
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
  int accepted_ = 0;
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
  run.Fill(MonotonicNs() + 120 * kNsPerSecond, r);
  if (!r.error.empty()) return r;
  run.Sync(MonotonicNs() + 60 * kNsPerSecond, r);
  if (r.error.empty() && r.messages_received != r.messages_stored) {
    r.error = "sync returned " + std::to_string(r.messages_received) + " of " +
              std::to_string(r.messages_stored) + " messages";
  }
  return r;
}

}  // namespace bench
