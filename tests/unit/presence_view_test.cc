// chatd's view of who is connected, from the plugin's presence changes and
// the snapshot pages it answers chatd's requests with.
#include "chatd/presence_view.h"

#include <gtest/gtest.h>

#include <string>

namespace chat {
namespace {

constexpr const char* kBroker = "chat/sys/broker";

std::string State(const std::string& user, bool online, int boot) {
  return R"({"user":")" + user + R"(","online":)" + (online ? "true" : "false") + R"(,"devices":)" +
         (online ? "1" : "0") + R"(,"last_seen":1,"boot":)" + std::to_string(boot) + "}";
}

void ApplyOnline(PresenceView& view, const std::string& user, int boot = 7) {
  ASSERT_TRUE(view.Apply("chat/sys/presence/" + user, State(user, true, boot)));
}

TEST(PresenceView, OnlineStateOfTheCurrentBrokerRunCounts) {
  PresenceView view;
  ASSERT_TRUE(view.Apply(kBroker, R"({"boot":7})"));
  ASSERT_TRUE(view.Apply("chat/sys/presence/bob",
                         R"({"user":"bob","online":true,"devices":1,"last_seen":1,"boot":7})"));
  EXPECT_TRUE(view.IsOnline("bob"));
  ASSERT_TRUE(view.Apply("chat/sys/presence/bob",
                         R"({"user":"bob","online":false,"devices":0,"last_seen":2,"boot":7})"));
  EXPECT_FALSE(view.IsOnline("bob"));
}

TEST(PresenceView, StateFromAnEarlierBrokerRunIsStale) {
  PresenceView view;
  ApplyOnline(view, "bob", 6);  // queued before the broker restarted
  view.Apply(kBroker, R"({"boot":7})");
  EXPECT_FALSE(view.IsOnline("bob"));
}

TEST(PresenceView, MalformedOrMismatchedStatesAreIgnored) {
  PresenceView view;
  view.Apply(kBroker, R"({"boot":7})");
  EXPECT_FALSE(view.Apply("chat/sys/presence/bob", "not json"));
  EXPECT_FALSE(view.Apply("chat/sys/presence/bob", R"({"user":"eve","online":true,"boot":7})"));
  EXPECT_FALSE(view.Apply("chat/sys/presence/bob", R"({"user":"bob","online":"yes","boot":7})"));
  EXPECT_FALSE(view.IsOnline("eve"));
  EXPECT_FALSE(view.IsOnline("bob"));
  EXPECT_TRUE(PresenceView::Handles("chat/sys/presence/x"));
  EXPECT_FALSE(PresenceView::Handles("chat/up/x/y"));
}

// --- snapshot pages -----------------------------------------------------------

TEST(PresenceView, SnapshotPageBringsOnlineTheUsersItLists) {
  PresenceView view;  // a chatd that just started: it knows nobody
  ASSERT_TRUE(view.Apply(kBroker, R"({"boot":7,"snapshot":{"after":""}})"));
  ApplyOnline(view, "alice");
  ApplyOnline(view, "bob");
  EXPECT_TRUE(view.IsOnline("alice"));
  EXPECT_TRUE(view.IsOnline("bob"));
}

// An offline change lost while chatd was away (its queue overflowed) is
// repaired by the next snapshot: the page leaves the user out.
TEST(PresenceView, PageMarkTakesOfflineTheUsersOfItsRangeThatThePageLeavesOut) {
  PresenceView view;
  view.Apply(kBroker, R"({"boot":7})");
  for (const char* user : {"alice", "bob", "carol", "dave"}) ApplyOnline(view, user);
  ASSERT_TRUE(view.Apply(kBroker, R"({"boot":7,"snapshot":{"after":"alice","until":"carol"}})"));
  ApplyOnline(view, "carol");           // the page: bob has gone
  EXPECT_TRUE(view.IsOnline("alice"));  // before the range
  EXPECT_FALSE(view.IsOnline("bob"));
  EXPECT_TRUE(view.IsOnline("carol"));
  EXPECT_TRUE(view.IsOnline("dave"));  // after the range: the next page's
}

TEST(PresenceView, LastPageMarkCoversEveryUserAfterIt) {
  PresenceView view;
  view.Apply(kBroker, R"({"boot":7})");
  for (const char* user : {"alice", "bob", "carol"}) ApplyOnline(view, user);
  ASSERT_TRUE(view.Apply(kBroker, R"({"boot":7,"snapshot":{"after":"alice"}})"));
  EXPECT_TRUE(view.IsOnline("alice"));
  EXPECT_FALSE(view.IsOnline("bob"));
  EXPECT_FALSE(view.IsOnline("carol"));
}

TEST(PresenceView, ChangesAfterAPageApplyAsUsual) {
  PresenceView view;
  view.Apply(kBroker, R"({"boot":7,"snapshot":{"after":""}})");
  ApplyOnline(view, "bob");
  ASSERT_TRUE(view.Apply("chat/sys/presence/bob", State("bob", false, 7)));
  EXPECT_FALSE(view.IsOnline("bob"));
}

TEST(PresenceView, PageMarkNamesTheCurrentBrokerRun) {
  PresenceView view;
  ApplyOnline(view, "bob", 6);
  view.Apply(kBroker, R"({"boot":7,"snapshot":{"after":"bob"}})");
  ApplyOnline(view, "carol", 7);
  EXPECT_FALSE(view.IsOnline("bob"));
  EXPECT_TRUE(view.IsOnline("carol"));
}

TEST(PresenceView, MalformedPageMarksAreIgnored) {
  PresenceView view;
  view.Apply(kBroker, R"({"boot":7})");
  ApplyOnline(view, "bob");
  for (const char* payload :
       {R"({"boot":7,"snapshot":true})", R"({"boot":7,"snapshot":{}})",
        R"({"boot":7,"snapshot":{"after":5}})", R"({"boot":7,"snapshot":{"after":"","until":""}})",
        R"({"boot":7,"snapshot":{"after":"carol","until":"alice"}})",
        R"({"boot":7,"snapshot":{"after":"Bob"}})"}) {
    EXPECT_FALSE(view.Apply(kBroker, payload)) << payload;
  }
  EXPECT_TRUE(view.IsOnline("bob"));
}

}  // namespace
}  // namespace chat

// --- transitions, for the presence of people ----------------------------------

namespace chat {
namespace {

TEST(PresenceViewTransitions, AChangeReportsOnlineAndTheDepartureTime) {
  PresenceView view;
  view.Apply(kBroker, R"({"boot":7})");
  std::vector<PresenceTransition> changed;
  view.Apply("chat/sys/presence/bob", State("bob", true, 7), &changed, 50);
  view.Apply("chat/sys/presence/bob",
             R"({"user":"bob","online":false,"devices":0,"last_seen":40,"boot":7})", &changed, 60);
  EXPECT_EQ(changed,
            (std::vector<PresenceTransition>{{"bob", true, 0, "", 1}, {"bob", false, 40, "", 0}}));
}

// A device leaving while another stays is no arrival (it must not end
// `away`), but a departure of that device.
TEST(PresenceViewTransitions, EachDeviceComingAndGoingIsNamed) {
  PresenceView view;
  view.Apply(kBroker, R"({"boot":7})");
  std::vector<PresenceTransition> changed;
  for (auto [devices, device] : {std::pair{1, "phone"}, {2, "laptop"}, {1, "phone"}}) {
    view.Apply("chat/sys/presence/bob",
               R"({"user":"bob","online":true,"devices":)" + std::to_string(devices) +
                   R"(,"device":")" + device + R"(","last_seen":5,"boot":7})",
               &changed, 10);
  }
  EXPECT_EQ(changed, (std::vector<PresenceTransition>{{"bob", true, 0, "phone", 1},
                                                      {"bob", true, 0, "laptop", 2},
                                                      {"bob", false, 5, "phone", 1}}));
}

TEST(PresenceViewTransitions, PageMarksAndANewBrokerRunTakeUsersOfflineNow) {
  PresenceView view;
  view.Apply(kBroker, R"({"boot":7})");
  ApplyOnline(view, "alice");
  ApplyOnline(view, "bob");
  std::vector<PresenceTransition> changed;
  view.Apply(kBroker, R"({"boot":7,"snapshot":{"after":"alice"}})", &changed, 70);
  EXPECT_EQ(changed, (std::vector<PresenceTransition>{{"bob", false, 70, "", 0}}));
  changed.clear();
  view.Apply(kBroker, R"({"boot":8})", &changed, 80);  // the broker restarted
  EXPECT_EQ(changed, (std::vector<PresenceTransition>{{"alice", false, 80, "", 0}}));
}

// Synced once every state of the last page is in: only then does the view
// know everyone online, not only those who changed since chatd started.
TEST(PresenceViewTransitions, SyncedAfterTheLastStateOfTheLastPage) {
  PresenceView view;
  view.Apply(kBroker, R"({"boot":7})");
  EXPECT_FALSE(view.synced());
  view.Apply(kBroker, R"({"boot":7,"snapshot":{"after":"","until":"bob","users":1}})");
  view.Apply("chat/sys/presence/bob", State("bob", true, 7));
  EXPECT_FALSE(view.synced()) << "a page with more to come";
  view.Apply(kBroker, R"({"boot":7,"snapshot":{"after":"bob","users":2}})");
  view.Apply("chat/sys/presence/carol", State("carol", true, 7));
  EXPECT_FALSE(view.synced());
  view.Apply("chat/sys/presence/dave", State("dave", true, 7));
  EXPECT_TRUE(view.synced());

  PresenceView empty;  // nobody online: the mark alone
  empty.Apply(kBroker, R"({"boot":7,"snapshot":{"after":"","users":0}})");
  EXPECT_TRUE(empty.synced());
}

}  // namespace
}  // namespace chat

namespace chat {
namespace {

// Push goes only to devices that are not connected: the view knows them by name.
TEST(PresenceView, DevicesAreKnownByNameFromChangesAndSnapshotStates) {
  PresenceView view;
  ASSERT_TRUE(view.Apply(kBroker, R"({"boot":7})"));
  auto change = [&](bool online, int devices, const char* device) {
    ASSERT_TRUE(view.Apply("chat/sys/presence/bob",
                           R"({"user":"bob","online":)" + std::string(online ? "true" : "false") +
                               R"(,"devices":)" + std::to_string(devices) + R"(,"device":")" +
                               device + R"(","last_seen":1,"boot":7})"));
  };
  change(true, 1, "phone");
  change(true, 2, "laptop");
  EXPECT_TRUE(view.IsDeviceConnected("bob", "phone"));
  EXPECT_TRUE(view.IsDeviceConnected("bob", "laptop"));
  change(true, 1, "phone");  // the phone left, the laptop stays
  EXPECT_FALSE(view.IsDeviceConnected("bob", "phone"));
  EXPECT_TRUE(view.IsDeviceConnected("bob", "laptop"));
  change(false, 0, "laptop");
  EXPECT_FALSE(view.IsDeviceConnected("bob", "laptop"));
  // A snapshot's state lists the devices instead.
  ASSERT_TRUE(view.Apply(
      "chat/sys/presence/bob",
      R"({"user":"bob","online":true,"devices":2,"device_ids":["laptop","tablet"],"last_seen":1,"boot":7})"));
  EXPECT_TRUE(view.IsDeviceConnected("bob", "tablet"));
  EXPECT_TRUE(view.IsDeviceConnected("bob", "laptop"));
  EXPECT_FALSE(view.IsDeviceConnected("bob", "phone"));
  EXPECT_FALSE(view.IsDeviceConnected("carol", "phone"));
}

// Several broker nodes: each reports its own connections and runs.
std::string DeviceState(const std::string& user, const std::string& device, bool online,
                        int devices, int boot) {
  return R"({"user":")" + user + R"(","online":)" + (online ? "true" : "false") + R"(,"devices":)" +
         std::to_string(devices) + R"(,"device":")" + device + R"(","last_seen":5,"boot":)" +
         std::to_string(boot) + "}";
}

TEST(PresenceViewNodes, AUserIsOnlineWhileOnlineOnAnyNodeAndTransitionsCountAllNodes) {
  PresenceView view(2);
  view.Apply(kBroker, R"({"boot":7})", nullptr, 0, 0);
  view.Apply(kBroker, R"({"boot":9})", nullptr, 0, 1);
  std::vector<PresenceTransition> changed;
  view.Apply("chat/sys/presence/bob", DeviceState("bob", "phone", true, 1, 7), &changed, 10, 0);
  view.Apply("chat/sys/presence/bob", DeviceState("bob", "laptop", true, 1, 9), &changed, 10, 1);
  view.Apply("chat/sys/presence/bob", DeviceState("bob", "phone", false, 0, 7), &changed, 10, 0);
  EXPECT_TRUE(view.IsOnline("bob"));
  EXPECT_TRUE(view.IsDeviceConnected("bob", "laptop"));
  EXPECT_FALSE(view.IsDeviceConnected("bob", "phone"));
  view.Apply("chat/sys/presence/bob", DeviceState("bob", "laptop", false, 0, 9), &changed, 10, 1);
  EXPECT_FALSE(view.IsOnline("bob"));
  EXPECT_EQ(changed, (std::vector<PresenceTransition>{{"bob", true, 0, "phone", 1},
                                                      {"bob", true, 0, "laptop", 2},
                                                      {"bob", false, 5, "phone", 1},
                                                      {"bob", false, 5, "laptop", 0}}));
}

TEST(PresenceViewNodes, ALostNodeTakesOnlyItsUsersOffline) {
  PresenceView view(2);
  view.Apply(kBroker, R"({"boot":7})", nullptr, 0, 0);
  view.Apply(kBroker, R"({"boot":9})", nullptr, 0, 1);
  view.Apply("chat/sys/presence/alice", DeviceState("alice", "phone", true, 1, 7), nullptr, 0, 0);
  view.Apply("chat/sys/presence/bob", DeviceState("bob", "phone", true, 1, 9), nullptr, 0, 1);
  view.Apply("chat/sys/presence/carol", DeviceState("carol", "phone", true, 1, 7), nullptr, 0, 0);
  view.Apply("chat/sys/presence/carol", DeviceState("carol", "tablet", true, 1, 9), nullptr, 0, 1);
  std::vector<PresenceTransition> changed;
  view.NodeLost(1, &changed, 80);
  EXPECT_TRUE(view.IsOnline("alice"));
  EXPECT_FALSE(view.IsOnline("bob"));
  EXPECT_TRUE(view.IsOnline("carol"));
  EXPECT_EQ(changed, (std::vector<PresenceTransition>{{"bob", false, 80, "", 0},
                                                      {"carol", false, 80, "", 1}}));
}

TEST(PresenceViewNodes, TheSameDeviceOnTwoNodesIsFound) {
  PresenceView view(3);
  for (std::size_t node = 0; node < 3; ++node)
    view.Apply(kBroker, R"({"boot":7})", nullptr, 0, node);
  view.Apply("chat/sys/presence/bob", DeviceState("bob", "phone", true, 1, 7), nullptr, 0, 2);
  EXPECT_FALSE(view.OtherNodeOf("bob", "phone", 2));
  view.Apply("chat/sys/presence/bob", DeviceState("bob", "phone", true, 1, 7), nullptr, 0, 0);
  EXPECT_EQ(view.OtherNodeOf("bob", "phone", 0), std::optional<std::size_t>(2));
  EXPECT_FALSE(view.OtherNodeOf("bob", "laptop", 0));
}

TEST(PresenceViewNodes, SyncedOnceEveryNodesSnapshotIsIn) {
  PresenceView view(2);
  view.Apply(kBroker, R"({"boot":7,"snapshot":{"after":"","users":0}})", nullptr, 0, 0);
  EXPECT_FALSE(view.synced());
  view.Apply(kBroker, R"({"boot":9,"snapshot":{"after":"","users":0}})", nullptr, 0, 1);
  EXPECT_TRUE(view.synced());
}

}  // namespace
}  // namespace chat
