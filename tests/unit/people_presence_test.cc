// Specification of the presence of people as watchers see it: grace, away,
// watches (chat-service/src/chatd/people_presence.h).
#include "chatd/people_presence.h"

#include <gtest/gtest.h>

namespace chat {
namespace {

const DeviceAddress kAlicePhone{"alice", "phone"};
const DeviceAddress kAliceLaptop{"alice", "laptop"};
const DeviceAddress kCarolPc{"carol", "pc"};

PresenceNotice Notice(const DeviceAddress& to, const std::string& user, PersonState state,
                      int64_t last_seen = 0) {
  return {to, {user, state, last_seen}};
}

TEST(PeoplePresence, AWatcherHearsOnlineThenOfflineAfterTheGraceWithTheDepartureTime) {
  PeoplePresence p(1000);
  p.Watch(kAlicePhone, {"bob"});
  EXPECT_EQ(p.OnBroker("bob", true, 0, 100),
            std::vector{Notice(kAlicePhone, "bob", PersonState::kOnline)});
  EXPECT_TRUE(p.OnBroker("bob", false, 5000, 5200).empty());  // in the grace period
  EXPECT_EQ(p.NextDeadline(), 6200);
  EXPECT_TRUE(p.Expire(6199).empty());
  EXPECT_EQ(p.Expire(6200), std::vector{Notice(kAlicePhone, "bob", PersonState::kOffline, 5000)});
  EXPECT_EQ(p.Live("bob"), std::nullopt);
  EXPECT_EQ(p.NextDeadline(), std::nullopt);
}

TEST(PeoplePresence, AReturnWithinTheGraceShowsNothing) {
  PeoplePresence p(1000);
  p.OnBroker("bob", true, 0, 100);
  p.Watch(kAlicePhone, {"bob"});
  EXPECT_TRUE(p.OnBroker("bob", false, 5000, 5000).empty());
  EXPECT_TRUE(p.OnBroker("bob", true, 0, 5900).empty());
  EXPECT_TRUE(p.Expire(7000).empty());
  EXPECT_EQ(p.Live("bob")->state, PersonState::kOnline);
}

TEST(PeoplePresence, WithoutGraceOfflineIsAtOnce) {
  PeoplePresence p(0);
  p.Watch(kAlicePhone, {"bob"});
  p.OnBroker("bob", true, 0, 100);
  EXPECT_EQ(p.OnBroker("bob", false, 150, 200),
            std::vector{Notice(kAlicePhone, "bob", PersonState::kOffline, 150)});
}

TEST(PeoplePresence, AwayAndBackAreToldAndANewConnectionEndsAway) {
  PeoplePresence p(1000);
  p.Watch(kAlicePhone, {"bob"});
  p.OnBroker("bob", true, 0, 100);
  EXPECT_EQ(p.SetAway("bob", true), std::vector{Notice(kAlicePhone, "bob", PersonState::kAway)});
  EXPECT_TRUE(p.SetAway("bob", true).empty());  // no change
  EXPECT_EQ(p.Live("bob")->state, PersonState::kAway);
  EXPECT_EQ(p.OnBroker("bob", true, 0, 300),  // another device of bob connects
            std::vector{Notice(kAlicePhone, "bob", PersonState::kOnline)});
  EXPECT_TRUE(p.SetAway("carol", true).empty());  // not online: nothing to be away from
}

TEST(PeoplePresence, OnlyTheWatchingDevicesHearAndANewWatchReplacesTheOld) {
  PeoplePresence p(0);
  p.Watch(kAlicePhone, {"bob", "dave"});
  p.Watch(kAliceLaptop, {"dave"});
  p.Watch(kAlicePhone, {"dave"});  // the phone no longer watches bob
  EXPECT_TRUE(p.OnBroker("bob", true, 0, 1).empty());
  EXPECT_EQ(p.OnBroker("dave", true, 0, 2),
            (std::vector{Notice(kAliceLaptop, "dave", PersonState::kOnline),
                         Notice(kAlicePhone, "dave", PersonState::kOnline)}));
  p.Watch(kAlicePhone, {});
  EXPECT_EQ(p.OnBroker("dave", false, 3, 3),
            std::vector{Notice(kAliceLaptop, "dave", PersonState::kOffline, 3)});
}

TEST(PeoplePresence, AWatchersWatchesEndWhenTheirUserGoesOffline) {
  PeoplePresence p(0);
  p.OnBroker("alice", true, 0, 1);
  p.Watch(kAlicePhone, {"bob"});
  p.Watch(kCarolPc, {"bob"});
  p.OnBroker("alice", false, 2, 2);
  EXPECT_EQ(p.OnBroker("bob", true, 0, 3),
            std::vector{Notice(kCarolPc, "bob", PersonState::kOnline)});
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
  p.OnBroker("alice", true, 0, 100);
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
