// The chat on a flaky mobile network: the devices' broker port drops packets
// and has its connections killed now and then (../shared/tools/lossy-net),
// chatd's own listener stays clean. With the client library's default
// options, every message reaches the app once, in seq order, without gaps
// (PROTOCOL.md section 8, rules 4 and 5: QoS 0 events, `sync` after every
// connect), every send is accepted, and a lost connection comes back as soon
// as TCP gets through (median gap under 5 s). ctest runs this binary inside lossy-net and passes
// the lossy port in CHAT_LOSSY_DEVICE_PORT; without it the tests skip.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "client_reliability_support.h"
#include "harness/client_devices.h"

namespace chat::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds MillisecondsSince(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from);
}

constexpr int kMessages = 200;
constexpr auto kSendInterval = 100ms;  // a fast typist; 20 s of sending spans 4 resets
// From connection.lost to connection.restored. Every gap is made of connect
// attempts (the library waits no longer than its backoff between them, see
// client_reconnect_test), and each takes what TCP needs through the loss: a
// lost SYN is resent after 1 s, then 3 s, and the resets cut attempts still
// under way. Gaps of 1-7 s are usual, a median of 1.5-7 s per test; three cut
// attempts in a row, 15 s, were seen in 1 loss of 40.
constexpr auto kMedianReconnectGap = 10s;  // the SUBACK wait of old made every gap >= 10.5 s
constexpr auto kMaxReconnectGap = 60s;
// After the last send is accepted, how long a recipient may take to hold
// every message: no limit while it makes progress (up to kCatchUpLimit), a
// failure after kCatchUpStall without a new message. A fixed 30 s failed
// once under ASan: bob was cut off for 19.6 s, then again for 8.4 s.
constexpr auto kCatchUpStall = 40s;
constexpr auto kCatchUpLimit = 90s;

int LossyDevicePort() {
  const char* value = std::getenv("CHAT_LOSSY_DEVICE_PORT");
  return value ? std::atoi(value) : 0;
}

TestStack::Options LossyStackOptions() {
  TestStack::Options options;
  options.device_port = LossyDevicePort();
  options.service_listener = true;
  return options;
}

// One device and the app on it: a thread takes its events as they come and
// stamps them, so the time from connection.lost to connection.restored is the
// library's, not the test's.
class Device {
 public:
  explicit Device(const ClientOptions& options) : chat_(options) {}
  ~Device() {
    stop_ = true;
    if (reader_.joinable()) reader_.join();
  }

  // The first Connect may itself meet the loss: tried until `timeout`.
  bool Connect(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (chat_.Connect(10s).ok()) {
        reader_ = std::thread([this] { Read(); });
        return true;
      }
      ++failed_connects_;
    }
    return false;
  }

  ChatClient& chat() { return chat_; }
  int failed_connects() const { return failed_connects_; }

  // Waits until `done` holds for the events taken so far.
  bool Until(const std::function<bool(const std::vector<Event>&)>& done,
             std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      std::vector<Event> taken;
      {
        std::lock_guard lock(mutex_);
        taken = events_;
      }
      if (done(taken)) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  // Waits until the app holds `count` sequenced events of `conv`. Catching
  // up through the loss takes as long as the device's connections let it, so
  // the wait ends early only when nothing new arrived for `stall` (a device
  // can be cut off for 20 s at a time, see kMaxReconnectGap), and at `limit`.
  bool AwaitMessages(const std::string& conv, std::size_t count, std::chrono::milliseconds stall,
                     std::chrono::milliseconds limit) {
    auto give_up = Clock::now() + limit;
    std::size_t seen = 0;
    auto last_progress = Clock::now();
    while (Clock::now() < give_up && Clock::now() - last_progress < stall) {
      std::size_t now_seen = Messages(conv).size();
      if (now_seen >= count) return true;
      if (now_seen > seen) {
        seen = now_seen;
        last_progress = Clock::now();
      }
      std::this_thread::sleep_for(50ms);
    }
    return Messages(conv).size() >= count;
  }

  // The sequenced events (msg/accepted) of `conv`, as the app got them.
  std::vector<Event> Messages(const std::string& conv) {
    std::lock_guard lock(mutex_);
    std::vector<Event> out;
    for (const auto& e : events_) {
      if (e.IsSequenced() && e.conv == conv) out.push_back(e);
    }
    return out;
  }

  struct Reconnects {
    int losses = 0;
    int restores = 0;
    std::vector<std::chrono::milliseconds> gaps;        // connection.lost -> connection.restored
    std::optional<std::chrono::milliseconds> open_gap;  // a loss not yet restored: until now
  };
  Reconnects CountReconnects() {
    std::lock_guard lock(mutex_);
    Reconnects r;
    std::optional<Clock::time_point> lost_at;
    for (std::size_t i = 0; i < events_.size(); ++i) {
      const std::string& type = events_[i].type;
      if (type == client::event_type::kConnectionLost) {
        ++r.losses;
        if (!lost_at) lost_at = stamps_[i];
      } else if (type == client::event_type::kConnectionRestored) {
        ++r.restores;
        if (lost_at) r.gaps.push_back(MillisecondsSince(*lost_at, stamps_[i]));
        lost_at.reset();
      }
    }
    if (lost_at) r.open_gap = MillisecondsSince(*lost_at, Clock::now());
    return r;
  }

 private:
  void Read() {
    while (!stop_) {
      if (auto e = chat_.NextEvent(50ms)) {
        std::lock_guard lock(mutex_);
        events_.push_back(std::move(*e));
        stamps_.push_back(Clock::now());
      }
    }
  }

  ChatClient chat_;
  int failed_connects_ = 0;
  std::atomic<bool> stop_{false};
  std::thread reader_;
  std::mutex mutex_;
  std::vector<Event> events_;
  std::vector<Clock::time_point> stamps_;
};

// Each message once, in seq order from `first_seq`, no gap; bodies unique.
void ExpectEveryMessageOnceInOrder(Device& device, const std::string& conv, int64_t first_seq,
                                   int count, const std::string& who) {
  std::set<std::string> bodies;
  std::vector<int64_t> seqs;
  for (const Event& e : device.Messages(conv)) {
    seqs.push_back(e.seq);
    if (e.seq >= first_seq) {
      EXPECT_TRUE(bodies.insert(e.body).second) << who << " twice: " << e.body;
    }
  }
  std::vector<int64_t> expected = OneTo(first_seq - 1 + count);
  EXPECT_EQ(seqs, expected) << who;
  EXPECT_EQ(bodies.size(), std::size_t(count)) << who;
}

// Prints the device's reconnect gaps, checks their bound and adds the closed
// ones to `all`.
void ReportReconnects(Device& device, const std::string& who,
                      std::vector<std::chrono::milliseconds>& all) {
  auto r = device.CountReconnects();
  std::vector<std::chrono::milliseconds> gaps = r.gaps;
  std::sort(gaps.begin(), gaps.end());
  std::cout << "[lossy] " << who << ": " << r.losses << " losses, " << r.restores
            << " restores, reconnect gaps (ms):";
  for (auto gap : gaps) std::cout << " " << gap.count();
  if (r.open_gap) std::cout << ", offline for the last " << r.open_gap->count() << " ms";
  std::cout << "; " << device.failed_connects() << " failed first connects\n";
  for (auto gap : gaps) EXPECT_LT(gap, kMaxReconnectGap) << who;
  if (r.open_gap) {
    EXPECT_LT(*r.open_gap, kMaxReconnectGap) << who;
  }
  all.insert(all.end(), gaps.begin(), gaps.end());
}

void ExpectPromptReconnects(std::vector<std::chrono::milliseconds> gaps) {
  if (gaps.empty()) return;  // no reset hit a connection
  std::sort(gaps.begin(), gaps.end());
  auto median = gaps[gaps.size() / 2];
  std::cout << "[lossy] median reconnect gap " << median.count() << " ms of " << gaps.size()
            << "\n";
  EXPECT_LT(median, kMedianReconnectGap);
}

class LossyNet : public ::testing::Test {
 protected:
  void SetUp() override {
    if (LossyDevicePort() == 0) {
      GTEST_SKIP() << "not behind lossy-net (CHAT_LOSSY_DEVICE_PORT unset); ctest runs it there";
    }
  }
};

TEST_F(LossyNet, DirectMessagesArriveOnceInOrderAndEverySendIsAccepted) {
  auto started = Clock::now();
  TestStack stack(LossyStackOptions());
  Device alice(DeviceOptions(stack, "alice"));
  Device bob(DeviceOptions(stack, "bob"));
  ASSERT_TRUE(alice.Connect(30s));
  ASSERT_TRUE(bob.Connect(30s));

  for (int i = 1; i <= kMessages; ++i) {
    std::string cmid = "m" + std::to_string(i);
    EXPECT_TRUE(alice.chat().Send(To("bob", cmid, "lossy " + cmid)).status.ok()) << cmid;
    std::this_thread::sleep_for(kSendInterval);
  }
  EXPECT_TRUE(alice.Until([&](const auto&) { return alice.chat().PendingSends().empty(); }, 40s))
      << alice.chat().PendingSends().size() << " sends never accepted";
  std::string conv;
  alice.Until(
      [&](const std::vector<Event>& events) {
        for (const auto& e : events)
          if (e.IsSequenced()) conv = e.conv;
        return !conv.empty();
      },
      1s);
  ASSERT_FALSE(conv.empty()) << "alice saw no accepted";
  EXPECT_TRUE(bob.AwaitMessages(conv, kMessages, kCatchUpStall, kCatchUpLimit))
      << "bob has " << bob.Messages(conv).size();
  std::this_thread::sleep_for(500ms);  // a late duplicate would show now

  ExpectEveryMessageOnceInOrder(bob, conv, 1, kMessages, "bob");
  ExpectEveryMessageOnceInOrder(alice, conv, 1, kMessages, "alice");
  std::vector<std::chrono::milliseconds> gaps;
  ReportReconnects(alice, "alice", gaps);
  ReportReconnects(bob, "bob", gaps);
  ExpectPromptReconnects(gaps);
  std::cout << "[lossy] direct: " << kMessages << " messages in "
            << std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count()
            << " s\n";
}

TEST_F(LossyNet, GroupMessagesArriveOnceInOrderOnEveryMember) {
  auto started = Clock::now();
  TestStack stack(LossyStackOptions());
  const std::vector<std::string> users = {"alice", "bob", "carol", "dave"};
  std::vector<std::unique_ptr<Device>> devices;
  for (const auto& user : users) {
    devices.push_back(std::make_unique<Device>(DeviceOptions(stack, user)));
    ASSERT_TRUE(devices.back()->Connect(30s)) << user;
  }
  // A group command is a request: a loss fails its wait, and resending it
  // with the same req_id is safe (idempotent by req_id).
  std::string conv;
  const std::string req_id = "create-lossy";
  for (int attempt = 0; attempt < 20 && conv.empty(); ++attempt) {
    auto created = devices[0]->chat().CreateGroup("lossy", {"bob", "carol", "dave"}, req_id);
    if (!created.status.ok()) {
      std::this_thread::sleep_for(500ms);
      continue;
    }
    auto reply = devices[0]->chat().WaitForReply(created.req_id, 10s);
    if (reply && reply->Is("conv")) conv = reply->conv;
  }
  ASSERT_FALSE(conv.empty()) << "the group was never created";

  // alice and carol send at once, kMessages / 2 each.
  const std::vector<std::size_t> senders = {0, 2};
  const int per_sender = kMessages / 2;
  std::vector<std::thread> threads;
  for (std::size_t s : senders) {
    threads.emplace_back([&, s] {
      for (int i = 1; i <= per_sender; ++i) {
        std::string cmid = users[s] + "-" + std::to_string(i);
        client::SendRequest request{"", conv, "lossy " + cmid, cmid, {}};
        EXPECT_TRUE(devices[s]->chat().Send(request).status.ok()) << cmid;
        std::this_thread::sleep_for(kSendInterval);
      }
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t s : senders) {
    auto& chat = devices[s]->chat();
    EXPECT_TRUE(devices[s]->Until([&](const auto&) { return chat.PendingSends().empty(); }, 40s))
        << users[s] << ": " << chat.PendingSends().size() << " sends never accepted";
  }
  // seq 1 is group.created; then every message.
  const std::size_t total = std::size_t(kMessages) + 1;
  for (std::size_t d = 0; d < devices.size(); ++d) {
    EXPECT_TRUE(devices[d]->AwaitMessages(conv, total, kCatchUpStall, kCatchUpLimit))
        << users[d] << " has " << devices[d]->Messages(conv).size();
  }
  std::this_thread::sleep_for(500ms);
  std::vector<std::chrono::milliseconds> gaps;
  for (std::size_t d = 0; d < devices.size(); ++d) {
    ExpectEveryMessageOnceInOrder(*devices[d], conv, 2, kMessages, users[d]);
    ReportReconnects(*devices[d], users[d], gaps);
  }
  ExpectPromptReconnects(gaps);
  std::cout << "[lossy] group: " << kMessages << " messages, " << users.size() << " members in "
            << std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count()
            << " s\n";
}

}  // namespace
}  // namespace chat::testing
