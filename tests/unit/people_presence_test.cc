// Specification of the presence of people as watchers see it: grace, away,
// watches (chat-service/src/chatd/people_presence.h).
#include "chatd/people_presence.h"

#include <gtest/gtest.h>

namespace chat {
namespace {

const DeviceAddress kAlicePhone{"alice", "phone"};
const DeviceAddress kAliceLaptop{"alice", "laptop"};
const DeviceAddress kCarolPc{"carol", "pc"};

// The plugin's word: `user`'s phone came (1 device connected after), or
// the last device went at `left_ms`.
PresenceTransition Came(const std::string& user, const std::string& device = "phone",
                        int64_t devices = 1) {
  return {user, true, 0, device, devices};
}
PresenceTransition Went(const std::string& user, int64_t left_ms,
                        const std::string& device = "phone", int64_t devices = 0) {
  return {user, false, left_ms, device, devices};
}

PresenceNotice Notice(const DeviceAddress& to, const std::string& user, PersonState state,
                      int64_t last_seen = 0) {
  return {to, {user, state, last_seen}};
}

TEST(PeoplePresence, AWatcherHearsOnlineThenOfflineAfterTheGraceWithTheDepartureTime) {
  PeoplePresence p(1000);
  p.Watch(kAlicePhone, {"bob"});
  EXPECT_EQ(p.OnBroker(Came("bob"), 100),
            std::vector{Notice(kAlicePhone, "bob", PersonState::kOnline)});
  EXPECT_TRUE(p.OnBroker(Went("bob", 5000), 5200).empty());  // in the grace period
  EXPECT_EQ(p.NextDeadline(), 6200);
  EXPECT_TRUE(p.Expire(6199).empty());
  EXPECT_EQ(p.Expire(6200), std::vector{Notice(kAlicePhone, "bob", PersonState::kOffline, 5000)});
  EXPECT_EQ(p.Live("bob"), std::nullopt);
  EXPECT_EQ(p.NextDeadline(), std::nullopt);
}

// A device dated at its last packet before a keepalive timeout may have
// gone quiet before another device of the user left: last seen is the later.
TEST(PeoplePresence, LastSeenIsTheLatestDepartureOfAnyDevice) {
  PeoplePresence p(1000);
  p.Watch(kAlicePhone, {"bob"});
  p.OnBroker(Came("bob", "phone", 1), 100);
  p.OnBroker(Came("bob", "laptop", 2), 200);
  p.OnBroker(Went("bob", 9000, "laptop", 1), 9000);
  PresenceTransition phone = Went("bob", 5000, "phone", 0);  // quiet since 5000, noticed later
  EXPECT_EQ(p.DepartureOf(phone), 9000);
  EXPECT_TRUE(p.OnBroker(phone, 20000).empty());
  EXPECT_EQ(p.Expire(21000), std::vector{Notice(kAlicePhone, "bob", PersonState::kOffline, 9000)});

  // A new time online starts afresh.
  p.Watch(kAlicePhone, {"bob"});
  p.OnBroker(Came("bob"), 30000);
  EXPECT_EQ(p.DepartureOf(Went("bob", 31000)), 31000);
}

TEST(PeoplePresence, AReturnWithinTheGraceShowsNothing) {
  PeoplePresence p(1000);
  p.OnBroker(Came("bob"), 100);
  p.Watch(kAlicePhone, {"bob"});
  EXPECT_TRUE(p.OnBroker(Went("bob", 5000), 5000).empty());
  EXPECT_TRUE(p.OnBroker(Came("bob"), 5900).empty());
  EXPECT_TRUE(p.Expire(7000).empty());
  EXPECT_EQ(p.Live("bob")->state, PersonState::kOnline);
}

TEST(PeoplePresence, WithoutGraceOfflineIsAtOnce) {
  PeoplePresence p(0);
  p.Watch(kAlicePhone, {"bob"});
  p.OnBroker(Came("bob"), 100);
  EXPECT_EQ(p.OnBroker(Went("bob", 150), 200),
            std::vector{Notice(kAlicePhone, "bob", PersonState::kOffline, 150)});
}

TEST(PeoplePresence, AwayAndBackAreToldAndADeviceConnectingAgainIsInFront) {
  PeoplePresence p(1000);
  p.Watch(kAlicePhone, {"bob"});
  p.OnBroker(Came("bob"), 100);
  EXPECT_EQ(p.SetAway("bob", "phone", true),
            std::vector{Notice(kAlicePhone, "bob", PersonState::kAway)});
  EXPECT_TRUE(p.SetAway("bob", "phone", true).empty());  // no change
  EXPECT_EQ(p.Live("bob")->state, PersonState::kAway);
  EXPECT_TRUE(p.OnBroker(Went("bob", 200, "phone", 0), 200).empty());  // in the grace period
  EXPECT_EQ(p.OnBroker(Came("bob"), 300),  // the phone is back: its app in front
            std::vector{Notice(kAlicePhone, "bob", PersonState::kOnline)});
  EXPECT_EQ(p.SetAway("bob", "phone", true),
            std::vector{Notice(kAlicePhone, "bob", PersonState::kAway)});
  EXPECT_EQ(p.SetAway("bob", "phone", false),
            std::vector{Notice(kAlicePhone, "bob", PersonState::kOnline)});
  EXPECT_TRUE(p.SetAway("carol", "phone", true).empty());  // not online: nothing to be away from
}

// Away is the user's only while every connected device says so.
TEST(PeoplePresence, AUserIsAwayOnlyWhileEveryConnectedDeviceIs) {
  PeoplePresence p(1000);
  p.Watch(kAlicePhone, {"bob"});
  p.OnBroker(Came("bob", "phone", 1), 100);
  p.OnBroker(Came("bob", "laptop", 2), 110);
  EXPECT_TRUE(p.SetAway("bob", "phone", true).empty()) << "the laptop is in front";
  EXPECT_EQ(p.SetAway("bob", "laptop", true),
            std::vector{Notice(kAlicePhone, "bob", PersonState::kAway)});
  EXPECT_EQ(p.SetAway("bob", "phone", false),
            std::vector{Notice(kAlicePhone, "bob", PersonState::kOnline)});
  EXPECT_EQ(p.SetAway("bob", "phone", true),  // both away again
            std::vector{Notice(kAlicePhone, "bob", PersonState::kAway)});
  // The laptop, away, leaves; the phone is away: still away.
  EXPECT_TRUE(p.OnBroker(Went("bob", 300, "laptop", 1), 300).empty());
  EXPECT_EQ(p.Live("bob")->state, PersonState::kAway);
  // A tablet comes, in front; the phone leaves: online.
  EXPECT_EQ(p.OnBroker(Came("bob", "tablet", 2), 400),
            std::vector{Notice(kAlicePhone, "bob", PersonState::kOnline)});
  EXPECT_TRUE(p.OnBroker(Went("bob", 500, "phone", 1), 500).empty());
  EXPECT_EQ(p.Live("bob")->state, PersonState::kOnline);
}

TEST(PeoplePresence, OnlyTheWatchingDevicesHearAndANewWatchReplacesTheOld) {
  PeoplePresence p(0);
  p.Watch(kAlicePhone, {"bob", "dave"});
  p.Watch(kAliceLaptop, {"dave"});
  p.Watch(kAlicePhone, {"dave"});  // the phone no longer watches bob
  EXPECT_TRUE(p.OnBroker(Came("bob"), 1).empty());
  EXPECT_EQ(p.OnBroker(Came("dave"), 2),
            (std::vector{Notice(kAliceLaptop, "dave", PersonState::kOnline),
                         Notice(kAlicePhone, "dave", PersonState::kOnline)}));
  p.Watch(kAlicePhone, {});
  EXPECT_EQ(p.OnBroker(Went("dave", 3), 3),
            std::vector{Notice(kAliceLaptop, "dave", PersonState::kOffline, 3)});
}

TEST(PeoplePresence, AWatchersWatchesEndWhenTheirUserGoesOffline) {
  PeoplePresence p(0);
  p.OnBroker(Came("alice"), 1);
  p.Watch(kAlicePhone, {"bob"});
  p.Watch(kCarolPc, {"bob"});
  p.OnBroker(Went("alice", 2), 2);
  EXPECT_EQ(p.OnBroker(Came("bob"), 3), std::vector{Notice(kCarolPc, "bob", PersonState::kOnline)});
  EXPECT_EQ(p.watch_count(), 1u);
}

TEST(PeoplePresence, AWatchRemembersWhatItWasToldUntilReplaced) {
  PeoplePresence p(1000);
  p.Watch(kAlicePhone, {"bob"});
  PersonPresence told;
  ASSERT_TRUE(p.LastTold(kAlicePhone, "bob", &told));
  EXPECT_EQ(told.state, PersonState::kUnknown);
  p.Told(kAlicePhone, {"bob", PersonState::kOffline, 42});
  ASSERT_TRUE(p.LastTold(kAlicePhone, "bob", &told));
  EXPECT_EQ(told, (PersonPresence{"bob", PersonState::kOffline, 42}));
  p.Told(kAlicePhone, {"carol", PersonState::kOnline, 0});  // not watched: not kept
  EXPECT_FALSE(p.LastTold(kAlicePhone, "carol", &told));
  p.Watch(kAlicePhone, {"bob"});
  ASSERT_TRUE(p.LastTold(kAlicePhone, "bob", &told));
  EXPECT_EQ(told.state, PersonState::kUnknown) << "a new watch starts afresh";
}

TEST(PeoplePresence, TheWatchesOfAUserAreThoseOfItsWatchersAndItsOwn) {
  PeoplePresence p(1000);
  p.OnBroker(Came("alice"), 100);
  p.Watch(kAlicePhone, {"bob", "carol"});
  p.Watch(kCarolPc, {"alice", "bob"});
  using Watches = std::vector<std::pair<DeviceAddress, std::string>>;
  EXPECT_EQ(p.WatchesInvolving("alice"),
            (Watches{{kCarolPc, "alice"}, {kAlicePhone, "bob"}, {kAlicePhone, "carol"}}));
  EXPECT_EQ(p.WatchesInvolving("bob"), (Watches{{kAlicePhone, "bob"}, {kCarolPc, "bob"}}));
  EXPECT_TRUE(p.WatchesInvolving("dave").empty());
}

}  // namespace
}  // namespace chat
