// Presence of people through the faults a phone and a server meet (issue 18,
// docs/PROTOCOL.md "Presence of people"): several devices, a connection the
// broker drops by keepalive, takeovers of one client id, and a watch kept by
// the client library across a kill -9 of chatd and a broker restart.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "chat/clock.h"
#include "client_reliability_support.h"
#include "people_presence_support.h"

namespace chat::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

// A device that connects over a bare socket and then says nothing, not even
// PINGREQ: the broker ends it by keepalive timeout (1.5 x `keepalive_s`).
class SilentDevice {
 public:
  SilentDevice(int port, const std::string& user, const std::string& device,
               const std::string& token, uint16_t keepalive_s) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
    std::string body;
    auto field = [&](const std::string& s) {
      body += static_cast<char>(s.size() >> 8);
      body += static_cast<char>(s.size() & 0xff);
      body += s;
    };
    field("MQTT");
    body += '\x04';  // 3.1.1
    body += '\xc2';  // username, password, clean session
    body += static_cast<char>(keepalive_s >> 8);
    body += static_cast<char>(keepalive_s & 0xff);
    field(user + ":" + device);
    field(user);
    field(token);
    std::string packet(1, '\x10');
    for (std::size_t n = body.size();;) {  // remaining length, 7 bits per byte
      char byte = static_cast<char>(n & 0x7f);
      n >>= 7;
      packet += n > 0 ? static_cast<char>(byte | 0x80) : byte;
      if (n == 0) break;
    }
    packet += body;
    if (::write(fd_, packet.data(), packet.size()) != static_cast<ssize_t>(packet.size())) return;
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    unsigned char connack[4] = {};
    accepted_ = ::recv(fd_, connack, sizeof connack, MSG_WAITALL) == 4 && connack[0] == 0x20 &&
                connack[3] == 0;
  }
  ~SilentDevice() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool accepted() const { return accepted_; }

 private:
  int fd_ = -1;
  bool accepted_ = false;
};

// The last `presence` the app was told of `user`.
std::optional<client::UserPresence> LastPresenceOf(const AppView& app, const std::string& user) {
  for (auto e = app.all().rbegin(); e != app.all().rend(); ++e) {
    if (!e->Is("presence")) continue;
    for (const client::UserPresence& p : e->people) {
      if (p.user == user) return p;
    }
  }
  return std::nullopt;
}

bool Shows(const AppView& app, const std::string& user, const std::string& state) {
  auto last = LastPresenceOf(app, user);
  return last && last->state == state;
}

class PeoplePresenceFaultsTest : public PresenceFixture {
 protected:
  // A hundred takeovers in a second is a reconnect loop that the connect
  // limit of a user would stop (PROTOCOL.md section 9): allowed here.
  PeoplePresenceFaultsTest()
      : PresenceFixture({.plugin_options = {"limit_user_connects_burst 1000"}}) {}

  // alice's phone, sharing a conversation with bob and watching him, with
  // the watch's reply in. Null when that failed.
  std::unique_ptr<MqttProbe> AliceWatching(const std::string& bob_state) {
    stack_.Provision("bob", "phone");
    auto alice = Device("alice", "phone");
    Converse(*alice, "alice", "bob");
    Watch(*alice, "alice", {"bob"});
    std::vector<json> seen = WaitForPresence(*alice, 1);
    if (seen.size() != 1u || seen[0]["users"][0]["state"] != bob_state) {
      ADD_FAILURE() << "alice's watch: " << json(seen).dump();
      return nullptr;
    }
    return alice;
  }
};

TEST_F(PeoplePresenceFaultsTest, AUserWithSeveralDevicesIsOnlineUntilTheLastOneLeaves) {
  auto phone = Device("bob", "phone");
  auto laptop = Device("bob", "laptop");
  auto alice = AliceWatching("online");
  ASSERT_TRUE(alice);

  phone->Disconnect();
  std::this_thread::sleep_for(milliseconds(1500));  // three grace periods
  EXPECT_EQ(PresenceEvents(alice->Messages()).size(), 1u) << "the laptop is still there";

  int64_t before = NowMillis();
  laptop->Disconnect();
  std::vector<json> seen = WaitForPresence(*alice, 2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1]["users"][0]["state"], "offline");
  EXPECT_GE(seen[1]["users"][0]["last_seen"].get<int64_t>(), before - 50)
      << "the last device's departure, not the first's";
}

// A phone that lost its network is ended by the broker's keepalive check,
// 1.5 x keepalive + up to 6 s after its last packet. Its last seen is that
// packet, within the 3 s the broker's checks leave open, not the moment the
// broker noticed (Mosquitto 2.0.11 tells the plugin no reason: chatd reads
// the timeout from the broker's log, `log_dest topic`).
TEST_F(PeoplePresenceFaultsTest, ADropByKeepaliveEndsOfflineLastSeenAtTheLastPacket) {
  auto alice = AliceWatching("offline");
  ASSERT_TRUE(alice);
  int64_t connecting_at = NowMillis();
  SilentDevice bob(stack_.port(), "bob", "phone", stack_.Provision("bob", "phone"), 4);
  ASSERT_TRUE(bob.accepted());
  int64_t last_packet = NowMillis();  // the CONNECT, answered
  std::vector<json> seen = WaitForPresence(*alice, 2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1]["users"][0]["state"], "online");

  // The broker notices 6 s to 12 s after the last packet (it looks every
  // 5 s); the grace adds 0.5 s.
  seen = WaitForPresence(*alice, 3, milliseconds(16000));
  ASSERT_EQ(seen.size(), 3u) << stack_.BrokerLog();
  int64_t offline_at = NowMillis();
  const json& offline = seen[2]["users"][0];
  EXPECT_EQ(offline["state"], "offline");
  int64_t last_seen = offline["last_seen"];
  EXPECT_GE(offline_at - last_packet, 6000) << "the broker ended it before 1.5 x keepalive";
  // Whole seconds in the broker's clock add up to 1 s to the 3 s.
  EXPECT_GE(last_seen, connecting_at - 4000);
  EXPECT_LE(last_seen, last_packet + 4000)
      << "dated when the broker noticed, " << offline_at - last_packet << " ms after";
}

// An operator whose mosquitto.conf lacks `log_dest topic` is told once, in
// chatd's log, when devices have left and no log line came; with it (every
// other test), chatd says nothing of the kind.
TEST(BrokerLogTopic, ChatdWarnsOnceWhenDevicesLeaveAndTheBrokersLogNeverCame) {
  for (bool log_topic : {false, true}) {
    TestStack stack({.broker_log_topic = log_topic});
    for (int i = 0; i < 4; ++i) {
      std::string device = "d" + std::to_string(i);
      MqttProbe probe(stack.port(), "bob:" + device);
      ASSERT_EQ(probe.Connect("bob", stack.Provision("bob", device)), 0);
    }  // each disconnects here
    constexpr std::string_view kWarning = "devices left but its log never reached chatd";
    auto deadline = std::chrono::steady_clock::now() + milliseconds(5000);
    std::string log = stack.ChatdLog();
    while (log_topic == false && log.find(kWarning) == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(50));
      log = stack.ChatdLog();
    }
    if (log_topic) {
      std::this_thread::sleep_for(milliseconds(500));  // the departures have come
      EXPECT_EQ(stack.ChatdLog().find(kWarning), std::string::npos) << stack.ChatdLog();
      continue;
    }
    std::size_t at = log.find(kWarning);
    ASSERT_NE(at, std::string::npos) << log;
    EXPECT_NE(log.find("log_dest topic"), std::string::npos);
    EXPECT_EQ(log.find(kWarning, at + 1), std::string::npos) << "once";
  }
}

TEST_F(PeoplePresenceFaultsTest, AHundredTakeoversOfOneClientIdAreNoDeparture) {
  auto bob = Device("bob", "phone");
  auto alice = AliceWatching("online");
  ASSERT_TRUE(alice);
  std::string token = stack_.Provision("bob", "phone");
  std::vector<std::unique_ptr<MqttProbe>> takeovers;
  for (int i = 0; i < 100; ++i) {
    // The same client id again: the broker closes the one before.
    auto next = std::make_unique<MqttProbe>(stack_.port(), "bob:phone");
    ASSERT_EQ(next->Connect("bob", token), 0) << "takeover " << i;
    takeovers.push_back(std::move(next));
  }
  std::this_thread::sleep_for(milliseconds(1500));  // three grace periods
  EXPECT_EQ(PresenceEvents(alice->Messages()).size(), 1u)
      << json(PresenceEvents(alice->Messages())).dump();
}

// The client library watches again after chatd comes back (`ready`): a
// restarted chatd holds no watches, and alice's app asked nothing new.
TEST_F(PeoplePresenceFaultsTest, TheLibrarysWatchOutlivesAKillOfChatd) {
  auto alice = Connected(OptionsFor(stack_, "alice", "phone"));
  AppView app(*alice);
  auto bob = Device("bob", "phone");
  bob->Publish("chat/up/bob/phone", R"({"type":"send","to":"alice","cmid":"hey","body":"hi"})");
  ASSERT_TRUE(app.UntilType("msg"));
  ASSERT_TRUE(alice->WatchPresence({"bob"}).status.ok());
  ASSERT_TRUE(app.Until([&] { return Shows(app, "bob", "online"); }));

  stack_.StopChatd(SIGKILL);
  std::size_t before = app.all().size();
  stack_.StartChatd();
  ASSERT_TRUE(
      app.Until([&] { return app.all().size() > before && Shows(app, "bob", "online"); }, kWait))
      << "no renewed watch after chatd came back";
  app.For(milliseconds(300));
  // Answered once chatd knows who is online (its snapshot): never offline meanwhile.
  for (std::size_t i = before; i < app.all().size(); ++i) {
    for (const client::UserPresence& p : app.all()[i].people) {
      EXPECT_EQ(p.state, "online") << app.all()[i].raw;
    }
  }
  int64_t left_at = NowMillis();
  bob->Disconnect();
  ASSERT_TRUE(app.Until([&] { return Shows(app, "bob", "offline"); }));
  EXPECT_GE(LastPresenceOf(app, "bob")->last_seen, left_at - 50);
}

TEST_F(PeoplePresenceFaultsTest, TheLibrarysWatchOutlivesABrokerRestart) {
  auto alice = Connected(OptionsFor(stack_, "alice", "phone"));
  AppView app(*alice);
  auto bob = Connected(OptionsFor(stack_, "bob", "phone"));
  ASSERT_TRUE(bob->Send(To("alice", "hey", "hi")).status.ok());
  ASSERT_TRUE(bob->WaitForAcceptance("hey", kWait));
  ASSERT_TRUE(alice->WatchPresence({"bob"}).status.ok());
  ASSERT_TRUE(app.Until([&] { return Shows(app, "bob", "online"); }));

  stack_.RestartBroker();
  ASSERT_TRUE(app.UntilType("connection.restored", std::chrono::seconds(10)));
  // Whatever the reconnects showed meanwhile, both are back: bob is online.
  ASSERT_TRUE(app.Until([&] { return Shows(app, "bob", "online") && bob->IsConnected(); }));
  app.For(milliseconds(1000));  // the restart's offline and online, if any, are told by now
  ASSERT_TRUE(Shows(app, "bob", "online"));

  bob->Disconnect();
  EXPECT_TRUE(app.Until([&] { return Shows(app, "bob", "offline"); }))
      << "alice no longer hears bob after the restart";
}

}  // namespace
}  // namespace chat::testing
