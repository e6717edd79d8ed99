// Overload on the real broker: a large conversation's live copies give way
// (PROTOCOL.md section 8, rule 9) and its members still end with every
// message once, in order, by `sync` after a `head`; 1:1 traffic is never
// shed. The paced lane is made tiny so that every large-group message is
// over its limit: the shedding path runs for every message, deterministically.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <thread>

#include "chat/client/chat_client.h"
#include "harness/client_devices.h"
#include "harness/tcp_relay.h"
#include "harness/test_device.h"
#include "harness/test_stack.h"

namespace chat::testing {
namespace {

using namespace std::chrono_literals;
using client::ChatClient;
using client::ClientOptions;
using client::Event;

constexpr int kMembers = 150;  // over large_group_members, and each message over the lane's limit
constexpr int kMessages = 20;

TestStack::Options ShedEveryLargeGroupMessage() {
  TestStack::Options options;
  options.chatd_config_extra =
      "large_group_members = 100\n"
      "paced_queue_copies = 100\n";
  return options;
}

std::unique_ptr<ChatClient> Connected(
    TestStack& stack, const std::string& user, int port = 0,
    std::size_t backlog_events = client::SyncPolicy{}.backlog_events) {
  ClientOptions options = DeviceOptions(stack, user, "phone", port);
  options.sync.backlog_events = backlog_events;
  return ConnectedDevice(options);
}

// Takes `client`'s events until it holds `count` messages of `conv` (or
// `limit` passes); returns their seqs in the order the app got them, and
// counts `head`.
std::vector<int64_t> MessagesOf(ChatClient& client, const std::string& conv, std::size_t count,
                                int* heads_seen, std::chrono::seconds limit = 20s) {
  std::vector<int64_t> seqs;
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (seqs.size() < count && std::chrono::steady_clock::now() < deadline) {
    std::optional<Event> event = client.NextEvent(200ms);
    if (!event) continue;
    if (event->Is("head")) ++*heads_seen;
    if (event->IsSequenced() && event->conv == conv) seqs.push_back(event->seq);
  }
  return seqs;
}

std::vector<int64_t> OneTo(int64_t n) {
  std::vector<int64_t> seqs;
  for (int64_t s = 1; s <= n; ++s) seqs.push_back(s);
  return seqs;
}

TEST(Overload, ShedLargeGroupCopiesReachEveryMemberBySyncAndOneToOneIsNeverShed) {
  TestStack stack(ShedEveryLargeGroupMessage());
  auto alice = Connected(stack, "alice");
  auto bob = Connected(stack, "bob");
  auto carol = Connected(stack, "carol");
  std::vector<std::string> members = {"bob", "carol"};
  for (int i = static_cast<int>(members.size()); i < kMembers - 1; ++i) {
    std::string user = "m" + std::to_string(i);
    stack.Provision(user, "phone");  // never connects: the copies are made all the same
    members.push_back(user);
  }
  auto created = alice->CreateGroup("crowd", members);
  ASSERT_TRUE(created.status.ok());
  auto reply = alice->WaitForReply(created.req_id, 10s);
  ASSERT_TRUE(reply && reply->Is("conv")) << (reply ? reply->raw : "no reply");
  const std::string group = reply->conv;

  for (int i = 1; i <= kMessages; ++i) {
    client::SendRequest request{"", group, "to the crowd " + std::to_string(i), {}, {}};
    ASSERT_TRUE(alice->Send(request).status.ok());
    if (i == kMessages / 2) {
      client::SendRequest direct{"carol", "", "just you", {}, {}};
      ASSERT_TRUE(alice->Send(direct).status.ok());
    }
  }

  // seq 1 is group.created; every message was over the lane's limit.
  const std::size_t total = kMessages + 1;
  int bob_heads = 0;
  int carol_heads = 0;
  EXPECT_EQ(MessagesOf(*bob, group, total, &bob_heads), OneTo(total));
  std::vector<int64_t> carol_seqs;
  std::string direct_conv;
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while ((carol_seqs.size() < total || direct_conv.empty()) &&
         std::chrono::steady_clock::now() < deadline) {
    std::optional<Event> event = carol->NextEvent(200ms);
    if (!event) continue;
    if (event->Is("head")) ++carol_heads;
    if (!event->IsSequenced()) continue;
    if (event->conv == group) carol_seqs.push_back(event->seq);
    if (event->body == "just you") direct_conv = event->conv;
  }
  EXPECT_EQ(carol_seqs, OneTo(total));
  EXPECT_FALSE(direct_conv.empty()) << "the 1:1 message never came";
  EXPECT_EQ(bob_heads + carol_heads, 0) << "`head` is the library's, not the app's";

  stack.StopChatd();
  std::string log = stack.ChatdLog();
  // (No std::regex: GCC 12 warns inside <regex> at the sanitizers' -O1.)
  std::size_t at = log.rfind("paced lane: ");
  ASSERT_NE(at, std::string::npos) << log.substr(log.size() > 2000 ? log.size() - 2000 : 0);
  long long queued = -1, shed = -1, heads = -1;
  ASSERT_EQ(std::sscanf(log.c_str() + at, "paced lane: %lld copies queued, %lld shed for %lld head",
                        &queued, &shed, &heads),
            3)
      << log.substr(at, 200);
  EXPECT_EQ(queued, 0) << "every large-group copy was over the limit";
  EXPECT_GE(shed, int64_t(total) * (kMembers - 1));
  EXPECT_GE(heads, 2);  // at least one for bob and one for carol
  EXPECT_NE(log.find("large conversations' members get `head` events"), std::string::npos);
}

// Mosquitto 2.0.11 reads one packet per connection per pass of its loop, so
// while several devices each have a command ready in every pass, chatd's
// PUBACKs for QoS 1 commands fell further behind with every pass; past
// max_queued_messages unacknowledged ones the broker dropped commands it had
// already acknowledged to their devices, which only a resend after the
// accept timeout recovered. chatd takes commands at QoS 0 (no PUBACK to
// fall behind): with a broker limit of 50, 8 devices pipelining 40 commands
// each must all be accepted, and these raw devices never resend.
TEST(Overload, CommandsOfManyBusyDevicesAllReachChatdPastTheBrokersQueueLimit) {
  constexpr int kDevices = 8;
  constexpr int kCommands = 40;
  TestStack::Options options;
  options.broker_config_extra = "max_queued_messages 50\n";
  TestStack stack(options);
  stack.Provision("bob", "phone");  // never connects: only `accepted` goes back
  std::vector<std::unique_ptr<TestDevice>> senders;
  for (int d = 0; d < kDevices; ++d) {
    senders.push_back(std::make_unique<TestDevice>(stack, "s" + std::to_string(d), "phone"));
  }
  std::vector<std::thread> bursts;
  for (auto& sender : senders) {
    bursts.emplace_back([&sender] {
      std::vector<nlohmann::json> commands;
      for (int i = 0; i < kCommands; ++i) {
        commands.push_back(SendTo("bob", sender->user + "-" + std::to_string(i), "burst"));
      }
      sender->SendAll(commands);
    });
  }
  for (auto& burst : bursts) burst.join();
  for (auto& sender : senders) {
    EXPECT_EQ(sender->Await("accepted", kCommands, 8s).size(), std::size_t{kCommands})
        << sender->user << ": commands the broker acknowledged never reached chatd";
  }
  EXPECT_EQ(stack.CountRows("messages"), int64_t{kDevices} * kCommands);
}

// The broker drops a QoS 0 live copy for a device with max_queued_messages
// packets not yet written to it (a stalled phone); nobody tells the device.
// Its client library finds the gap by the next live message's seq and fills
// it by `sync`: bob, whose network stalls during a burst of 9 MB, ends with
// every message once and in order after one more arrives.
// A device whose downstream stalls while `burst` messages of 15 KB go to
// `conv`: the broker (max_queued_messages 50) drops part of its live copies,
// the last ones among them.
class StalledDevice {
 public:
  static constexpr int kBurst = 600;

  // `backlog_events`: bob's SyncPolicy::backlog_events.
  explicit StalledDevice(std::size_t backlog_events)
      : stack_(Options()), relay_(stack_.port()), alice_(stack_, "alice", "phone") {
    bob_ = Connected(stack_, "bob", relay_.port(), backlog_events);
    alice_.Send(SendTo("bob", "before", "before"));
    std::optional<Event> first;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!(first && first->IsSequenced()) && std::chrono::steady_clock::now() < deadline) {
      first = bob_->NextEvent(200ms);
    }
    EXPECT_TRUE(first && first->IsSequenced()) << "the first message never came";
    if (first) conv_ = first->conv;
  }

  void Burst() {
    relay_.PauseDownstream(true);
    // More than the stalled connection's socket buffers hold: loopback's 64 KB
    // segments let the broker's send buffer grow to 4 MB.
    // In rounds of 40: a batch's `accepted` events reach alice in one pass of
    // the broker, and more than max_queued_messages of them would be dropped.
    const std::string body(15000, 'x');
    constexpr int kRound = 40;
    for (int sent = 0; sent < kBurst; sent += kRound) {
      std::vector<nlohmann::json> round;
      for (int i = sent; i < sent + kRound; ++i) {
        round.push_back(SendIn(conv_, "m" + std::to_string(i), body));
      }
      alice_.SendAll(round);
      ASSERT_EQ(alice_.Await("accepted", sent + kRound + 1, 20s).size(),
                std::size_t(sent + kRound + 1));
    }
    relay_.PauseDownstream(false);
  }

  bool BrokerDropped() const {
    return stack_.BrokerLog().find("Outgoing messages are being dropped for client bob:phone") !=
           std::string::npos;
  }

  TestStack& stack() { return stack_; }
  TestDevice& alice() { return alice_; }
  ChatClient& bob() { return *bob_; }
  const std::string& conv() const { return conv_; }

 private:
  static TestStack::Options Options() {
    TestStack::Options options;
    options.broker_config_extra = "max_queued_messages 50\n";
    options.plugin_options = {"limits false"};  // the burst is far over a person's rate
    return options;
  }

  TestStack stack_;
  TcpRelay relay_;
  TestDevice alice_;  // raw: the burst is pipelined
  std::unique_ptr<ChatClient> bob_;
  std::string conv_;
};

TEST(Overload, ADeviceFillsTheGapOfLiveCopiesTheBrokerDroppedBySync) {
  StalledDevice device(/*backlog_events=*/0);  // found by the next message alone
  ASSERT_FALSE(device.conv().empty());
  device.Burst();
  const std::string& conv = device.conv();

  // bob takes what the stalled connection still held until nothing more
  // comes for 2 s: sent before that, the next message could be dropped too
  // (its copy queues behind the backlog).
  std::vector<int64_t> seqs = {1};
  auto deadline = std::chrono::steady_clock::now() + 60s;
  auto quiet_since = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - quiet_since < 2s &&
         std::chrono::steady_clock::now() < deadline) {
    std::optional<Event> event = device.bob().NextEvent(200ms);
    if (!event) continue;
    quiet_since = std::chrono::steady_clock::now();
    if (event->IsSequenced() && event->conv == conv) seqs.push_back(event->seq);
  }
  constexpr int kBurst = StalledDevice::kBurst;
  ASSERT_LT(seqs.size(), std::size_t{kBurst + 1}) << "no copy was lost: nothing to fill";
  device.alice().Send(SendIn(conv, "after", "after"));
  int heads = 0;
  for (int64_t seq : MessagesOf(device.bob(), conv, kBurst + 2 - seqs.size(), &heads, 60s)) {
    seqs.push_back(seq);
  }
  EXPECT_EQ(seqs, OneTo(kBurst + 2))
      << "every message once, in order; got " << seqs.size() << ", last " << seqs.back();
  EXPECT_TRUE(device.BrokerDropped())
      << "the broker dropped no live copy: the test did not test the gap";
}

// The same drop, and then nothing more in the conversation: no later seq
// reveals the lost tail, so the client library's backlog check (a `sync`
// once a long run of packets pauses) must find it by itself.
TEST(Overload, ADeviceFillsADroppedTailWithNoLaterMessage) {
  StalledDevice device(/*backlog_events=*/40);  // under the broker's max_queued_messages
  ASSERT_FALSE(device.conv().empty());
  device.Burst();
  constexpr int kBurst = StalledDevice::kBurst;
  int heads = 0;
  std::vector<int64_t> seqs = {1};
  for (int64_t seq : MessagesOf(device.bob(), device.conv(), kBurst, &heads, 60s)) {
    seqs.push_back(seq);
  }
  EXPECT_EQ(seqs, OneTo(kBurst + 1))
      << "every message once, in order; got " << seqs.size() << ", last " << seqs.back();
  EXPECT_TRUE(device.BrokerDropped())
      << "the broker dropped no live copy: the test did not test the gap";
}

}  // namespace
}  // namespace chat::testing
