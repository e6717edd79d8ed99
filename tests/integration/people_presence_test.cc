// Presence of people on the real broker and chatd (docs/PROTOCOL.md,
// "Presence of people"): a device watches users with `presence.watch` and
// hears their changes on its device topic; only people who share a
// conversation see each other; offline comes after the grace period with
// the time the last device left, which survives a kill -9 of chatd.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "chat/clock.h"
#include "people_presence_support.h"

namespace chat::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

class PeoplePresenceTest : public PresenceFixture {
 protected:
  // alice and bob share a conversation; alice's phone watches bob and has
  // the watch's reply. Null devices when that failed.
  std::pair<std::unique_ptr<MqttProbe>, std::unique_ptr<MqttProbe>> AliceWatchingBob() {
    auto alice = Device("alice", "phone");
    auto bob = Device("bob", "phone");
    Converse(*alice, "alice", "bob");
    Watch(*alice, "alice", {"bob"});
    if (WaitForPresence(*alice, 1).size() != 1u) {
      ADD_FAILURE() << "no reply to alice's watch";
      return {};
    }
    return {std::move(alice), std::move(bob)};
  }
};

TEST_F(PeoplePresenceTest, AContactIsOnlineThenOfflineWithLastSeenAndAStrangerSeesUnknown) {
  auto alice = Device("alice", "phone");
  auto bob = Device("bob", "phone");
  auto carol = Device("carol", "phone");
  Converse(*alice, "alice", "bob");

  Watch(*alice, "alice", {"bob", "carol", "nobody-at-all"});
  std::vector<json> seen = WaitForPresence(*alice, 1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["req_id"], "w1");
  EXPECT_EQ(seen[0]["users"], json::parse(R"([{"user":"bob","state":"online"},
      {"user":"carol","state":"unknown"},{"user":"nobody-at-all","state":"unknown"}])"));

  int64_t before = NowMillis();
  bob->Disconnect();
  seen = WaitForPresence(*alice, 2);
  ASSERT_EQ(seen.size(), 2u);
  const json& offline = seen[1]["users"][0];
  EXPECT_EQ(offline["user"], "bob");
  EXPECT_EQ(offline["state"], "offline");
  EXPECT_GE(offline["last_seen"].get<int64_t>(), before - 1000);
  EXPECT_LE(offline["last_seen"].get<int64_t>(), NowMillis());
  EXPECT_FALSE(seen[1].contains("req_id"));

  // carol watches bob: no conversation shared, so `unknown`, like a stranger.
  Watch(*carol, "carol", {"bob"});
  seen = WaitForPresence(*carol, 1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["users"][0]["state"], "unknown");
  EXPECT_FALSE(seen[0]["users"][0].contains("last_seen"));
}

TEST_F(PeoplePresenceTest, ADropAndReturnWithinTheGraceShowsNothingAndAwayIsTold) {
  auto [alice, bob] = AliceWatchingBob();
  ASSERT_TRUE(alice && bob);

  bob->Disconnect();  // back within the 500 ms grace
  bob = Device("bob", "phone");
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_EQ(PresenceEvents(alice->Messages()).size(), 1u)
      << "no offline/online pair: " << json(PresenceEvents(alice->Messages())).dump();

  bob->Publish("chat/up/bob/phone", R"({"type":"presence.set","state":"away"})");
  std::vector<json> seen = WaitForPresence(*alice, 2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1]["users"][0]["state"], "away");
}

TEST_F(PeoplePresenceTest, LastSeenSurvivesAKillOfChatd) {
  auto [alice, bob] = AliceWatchingBob();
  ASSERT_TRUE(alice && bob);
  bob->Disconnect();
  std::vector<json> seen = WaitForPresence(*alice, 2);
  ASSERT_EQ(seen.size(), 2u);
  int64_t last_seen = seen[1]["users"][0]["last_seen"];

  stack_.StopChatd(SIGKILL);
  stack_.StartChatd();
  auto alice2 = Device("alice", "tablet");
  alice2->Publish("chat/up/alice/tablet",
                  R"({"type":"presence.watch","req_id":"w2","users":["bob"]})");
  seen = WaitForPresence(*alice2, 1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["users"][0]["state"], "offline");
  EXPECT_EQ(seen[0]["users"][0]["last_seen"], last_seen);
}

// A block either way, and a `nobody` setting, make a contact a stranger,
// at once: a device watching is told without asking again.
TEST_F(PeoplePresenceTest, ABlockAndANobodySettingShowUnknownToThoseWatchingAtOnce) {
  auto [alice, bob] = AliceWatchingBob();
  ASSERT_TRUE(alice && bob);
  bob->Publish("chat/up/bob/phone", R"({"type":"block","req_id":"b1","user":"alice"})");
  std::vector<json> seen = WaitForPresence(*alice, 2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1]["users"][0], json::parse(R"({"user":"bob","state":"unknown"})"))
      << "blocked by bob";
  EXPECT_FALSE(seen[1].contains("req_id"));

  bob->Publish("chat/up/bob/phone", R"({"type":"unblock","req_id":"b2","user":"alice"})");
  seen = WaitForPresence(*alice, 3);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2]["users"][0]["state"], "online") << "unblocked";

  bob->Publish("chat/up/bob/phone", R"({"type":"settings.set","req_id":"s1","presence":"nobody"})");
  seen = WaitForPresence(*alice, 4);
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[3]["users"][0]["state"], "unknown") << "bob shows nobody";

  // Hidden, bob's departure is news to nobody.
  bob->Disconnect();
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_EQ(PresenceEvents(alice->Messages()).size(), 4u);

  // Asking again changes nothing.
  Watch(*alice, "alice", {"bob"});
  seen = WaitForPresence(*alice, 5);
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[4]["users"][0]["state"], "unknown");
}

// Meeting in a new conversation makes a watched stranger visible at once.
TEST_F(PeoplePresenceTest, AStrangerWhoStartsAChatBecomesVisibleToTheWatcher) {
  auto alice = Device("alice", "phone");
  auto bob = Device("bob", "phone");
  Watch(*alice, "alice", {"bob"});
  std::vector<json> seen = WaitForPresence(*alice, 1);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["users"][0]["state"], "unknown");

  Converse(*bob, "bob", "alice");
  seen = WaitForPresence(*alice, 2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1]["users"][0], json::parse(R"({"user":"bob","state":"online"})"));
}

// Away is the user's only while every connected device says so: a phone in
// the background does not hide that the laptop is in front.
TEST_F(PeoplePresenceTest, AUserIsAwayOnlyWhileEveryDeviceIs) {
  auto [alice, bob] = AliceWatchingBob();
  ASSERT_TRUE(alice && bob);
  auto laptop = Device("bob", "laptop");
  bob->Publish("chat/up/bob/phone", R"({"type":"presence.set","state":"away"})");
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_EQ(PresenceEvents(alice->Messages()).size(), 1u) << "the laptop is in front";

  laptop->Publish("chat/up/bob/laptop", R"({"type":"presence.set","state":"away"})");
  std::vector<json> seen = WaitForPresence(*alice, 2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1]["users"][0]["state"], "away");

  laptop->Disconnect();  // the phone, still connected, is away too
  bob->Publish("chat/up/bob/phone", R"({"type":"presence.set","state":"online"})");
  seen = WaitForPresence(*alice, 3);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2]["users"][0]["state"], "online");
}

}  // namespace
}  // namespace chat::testing
