// Presence from connections (docs/PROTOCOL.md section 4, chat/sys/presence/{u}):
// one change per change of a user's number of connected devices, none for a
// takeover, offline with last seen when the last device is gone; only online
// users are kept, and they can be listed page by page for a snapshot.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chat/presence_format.h"
#include "chat/topics.h"
#include "identity.h"
#include "presence_tracker.h"

namespace chat::plugin {
namespace {

constexpr int64_t kT0 = 1700000000000;

using Changes = std::vector<PresenceChange>;

// A change names the device that came or went; a snapshot page names none.
PresenceChange Online(std::string user, std::size_t devices, int64_t at_ms,
                      std::string device = "") {
  return {std::move(user), true, devices, at_ms, std::move(device)};
}
// A snapshot page's state: the user's connected devices by name.
PresenceChange Listed(std::string user, std::vector<std::string> device_ids, int64_t at_ms) {
  std::size_t devices = device_ids.size();
  return {std::move(user), true, devices, at_ms, "", std::move(device_ids)};
}
PresenceChange Offline(std::string user, int64_t at_ms, std::string device) {
  return {std::move(user), false, 0, at_ms, std::move(device)};
}

class PluginPresenceTest : public ::testing::Test {
 protected:
  // Connection ids stand for broker client contexts.
  Changes Connect(ConnectionId connection, std::string_view client_id, int64_t at_ms) {
    std::string_view user = client_id.substr(0, client_id.find(':'));
    return tracker_.Connect(connection, IdentityOf(user, client_id), at_ms);
  }
  Changes Disconnect(ConnectionId connection, int64_t at_ms) {
    return tracker_.Disconnect(connection, at_ms);
  }

  PresenceTracker tracker_;
};

TEST_F(PluginPresenceTest, FirstDeviceBringsTheUserOnline) {
  EXPECT_EQ(Connect(1, "bob:phone", kT0), Changes{Online("bob", 1, kT0, "phone")});
  EXPECT_EQ(tracker_.DevicesOf("bob"), 1u);
}

TEST_F(PluginPresenceTest, SecondDeviceIsAChangeOfTheDeviceCount) {
  Connect(1, "bob:phone", kT0);
  EXPECT_EQ(Connect(2, "bob:laptop", kT0 + 5), Changes{Online("bob", 2, kT0 + 5, "laptop")});
  EXPECT_EQ(tracker_.DevicesOf("bob"), 2u);
}

TEST_F(PluginPresenceTest, OneOfTwoDevicesGoneKeepsTheUserOnline) {
  Connect(1, "bob:phone", kT0);
  Connect(2, "bob:laptop", kT0);
  EXPECT_EQ(Disconnect(1, kT0 + 7), Changes{Online("bob", 1, kT0 + 7, "phone")});
  EXPECT_EQ(tracker_.user_count(), 1u);
}

TEST_F(PluginPresenceTest, LastDeviceGoneGivesOfflineWithLastSeen) {
  Connect(1, "bob:phone", kT0);
  Connect(2, "bob:laptop", kT0);
  Disconnect(2, kT0 + 10);
  EXPECT_EQ(Disconnect(1, kT0 + 20), Changes{Offline("bob", kT0 + 20, "phone")});
  EXPECT_EQ(tracker_.DevicesOf("bob"), 0u);
  EXPECT_EQ(tracker_.connection_count(), 0u);
}

// The last seen time leaves in the offline change; keeping it would cost
// memory for every user ever seen.
TEST_F(PluginPresenceTest, OfflineUsersAreForgotten) {
  Connect(1, "bob:phone", kT0);
  Connect(2, "carol:phone", kT0);
  Connect(3, "carol:laptop", kT0);
  Disconnect(1, kT0 + 1);
  Disconnect(3, kT0 + 1);
  EXPECT_EQ(tracker_.user_count(), 1u);
  Disconnect(2, kT0 + 2);
  EXPECT_EQ(tracker_.user_count(), 0u);
  EXPECT_EQ(tracker_.connection_count(), 0u);
}

// The broker authenticates the new connection of a client id before it
// reports the disconnect of the old one (mosquitto 2.0.11, connect__on_authorised).
TEST_F(PluginPresenceTest, TakeoverOfTheSameClientIdIsNoChange) {
  Connect(1, "bob:phone", kT0);
  EXPECT_TRUE(Connect(2, "bob:phone", kT0 + 1).empty());
  EXPECT_TRUE(Disconnect(1, kT0 + 1).empty());
  EXPECT_EQ(tracker_.DevicesOf("bob"), 1u);
  EXPECT_EQ(Disconnect(2, kT0 + 9), Changes{Offline("bob", kT0 + 9, "phone")});
}

TEST_F(PluginPresenceTest, TakeoverWhileAnotherDeviceIsConnectedIsNoChange) {
  Connect(1, "bob:phone", kT0);
  Connect(2, "bob:laptop", kT0);
  EXPECT_TRUE(Connect(3, "bob:phone", kT0 + 1).empty());
  EXPECT_TRUE(Disconnect(1, kT0 + 1).empty());
  EXPECT_EQ(Disconnect(2, kT0 + 2), Changes{Online("bob", 1, kT0 + 2, "laptop")});
}

TEST_F(PluginPresenceTest, DisconnectOfAnUnknownConnectionIsIgnored) {
  EXPECT_TRUE(Disconnect(42, kT0).empty());
  Connect(1, "bob:phone", kT0);
  EXPECT_TRUE(Disconnect(42, kT0).empty());
  EXPECT_EQ(tracker_.DevicesOf("bob"), 1u);
}

TEST_F(PluginPresenceTest, SecondDisconnectOfAConnectionIsIgnored) {
  Connect(1, "bob:phone", kT0);
  Disconnect(1, kT0 + 1);
  EXPECT_TRUE(Disconnect(1, kT0 + 2).empty());
  EXPECT_EQ(tracker_.user_count(), 0u);
}

// Mosquitto re-runs the password check of every live client when it reloads
// its configuration.
TEST_F(PluginPresenceTest, RepeatedAuthenticationOfALiveConnectionIsNoChange) {
  Connect(1, "bob:phone", kT0);
  EXPECT_TRUE(Connect(1, "bob:phone", kT0 + 1).empty());
  EXPECT_EQ(tracker_.connection_count(), 1u);
  EXPECT_EQ(Disconnect(1, kT0 + 2), Changes{Offline("bob", kT0 + 2, "phone")});
}

// Only when a disconnect was never reported and the broker reused the address.
TEST_F(PluginPresenceTest, ReusedConnectionIdWithAnotherIdentityEndsTheOldOne) {
  Connect(1, "bob:phone", kT0);
  EXPECT_EQ(Connect(1, "carol:tablet", kT0 + 3),
            (Changes{Offline("bob", kT0 + 3, "phone"), Online("carol", 1, kT0 + 3, "tablet")}));
  EXPECT_EQ(tracker_.DevicesOf("bob"), 0u);
  EXPECT_EQ(tracker_.DevicesOf("carol"), 1u);
}

TEST_F(PluginPresenceTest, ServiceAndUnidentifiedClientsAreNotTracked) {
  EXPECT_TRUE(tracker_.Connect(1, IdentityOf("svc:chatd", "svc:chatd"), kT0).empty());
  EXPECT_TRUE(tracker_.Connect(2, IdentityOf("bob", "carol:phone"), kT0).empty());
  EXPECT_TRUE(tracker_.Connect(3, IdentityOf("", "random-id"), kT0).empty());
  EXPECT_EQ(tracker_.connection_count(), 0u);
  EXPECT_TRUE(Disconnect(1, kT0 + 1).empty());
}

TEST_F(PluginPresenceTest, UsersAreIndependent) {
  Connect(1, "bob:phone", kT0);
  EXPECT_EQ(Connect(2, "carol:phone", kT0 + 1), Changes{Online("carol", 1, kT0 + 1, "phone")});
  EXPECT_EQ(Disconnect(1, kT0 + 2), Changes{Offline("bob", kT0 + 2, "phone")});
  EXPECT_EQ(tracker_.DevicesOf("carol"), 1u);
}

TEST_F(PluginPresenceTest, ComingBackOnlineIsAnOnlineChange) {
  Connect(1, "bob:phone", kT0);
  Disconnect(1, kT0 + 1);
  EXPECT_EQ(Connect(2, "bob:phone", kT0 + 50), Changes{Online("bob", 1, kT0 + 50, "phone")});
  EXPECT_EQ(tracker_.DevicesOf("bob"), 1u);
}

TEST_F(PluginPresenceTest, UnknownUserHasNoDevices) { EXPECT_EQ(tracker_.DevicesOf("nobody"), 0u); }

TEST_F(PluginPresenceTest, ThousandsOfConnectionsComeAndGo) {
  constexpr ConnectionId kBase = 0x7f0000001000;  // context addresses, 64 bytes apart
  for (ConnectionId i = 0; i < 5000; ++i) {
    Connect(kBase + 64 * i, "u" + std::to_string(i / 2) + ":d" + std::to_string(i), kT0);
  }
  EXPECT_EQ(tracker_.connection_count(), 5000u);
  EXPECT_EQ(tracker_.user_count(), 2500u);
  EXPECT_EQ(tracker_.DevicesOf("u7"), 2u);
  for (ConnectionId i = 0; i < 5000; i += 2) Disconnect(kBase + 64 * i, kT0 + 1);
  EXPECT_EQ(tracker_.connection_count(), 2500u);
  EXPECT_EQ(tracker_.DevicesOf("u7"), 1u);
  for (ConnectionId i = 1; i < 5000; i += 2) Disconnect(kBase + 64 * i, kT0 + 2);
  EXPECT_EQ(tracker_.connection_count(), 0u);
  EXPECT_EQ(tracker_.user_count(), 0u);
}

// --- snapshot pages -------------------------------------------------------------

TEST_F(PluginPresenceTest, OnlineUsersAreListedInIdOrderWithTheirDevices) {
  Connect(1, "carol:phone", kT0);
  Connect(2, "alice:phone", kT0);
  Connect(3, "alice:laptop", kT0);
  Connect(4, "bob:phone", kT0);
  Disconnect(4, kT0 + 1);  // offline users are not listed
  PresencePage page = tracker_.OnlineAfter("", 10, kT0 + 9);
  EXPECT_EQ(page.states, (Changes{Listed("alice", {"laptop", "phone"}, kT0 + 9),
                                  Listed("carol", {"phone"}, kT0 + 9)}));
  EXPECT_FALSE(page.more);
}

TEST_F(PluginPresenceTest, OnlineUsersArePagedAfterTheLastOneListed) {
  for (ConnectionId i = 1; i <= 5; ++i) Connect(i, "u" + std::to_string(i) + ":phone", kT0);
  PresencePage first = tracker_.OnlineAfter("", 2, kT0);
  EXPECT_EQ(first.states, (Changes{Listed("u1", {"phone"}, kT0), Listed("u2", {"phone"}, kT0)}));
  EXPECT_TRUE(first.more);
  PresencePage second = tracker_.OnlineAfter("u2", 2, kT0);
  EXPECT_EQ(second.states, (Changes{Listed("u3", {"phone"}, kT0), Listed("u4", {"phone"}, kT0)}));
  EXPECT_TRUE(second.more);
  PresencePage last = tracker_.OnlineAfter("u4", 2, kT0);
  EXPECT_EQ(last.states, (Changes{Listed("u5", {"phone"}, kT0)}));
  EXPECT_FALSE(last.more);
  EXPECT_TRUE(tracker_.OnlineAfter("u5", 2, kT0).states.empty());
}

TEST_F(PluginPresenceTest, NobodyOnlineIsAnEmptyLastPage) {
  PresencePage page = tracker_.OnlineAfter("", 10, kT0);
  EXPECT_TRUE(page.states.empty());
  EXPECT_FALSE(page.more);
}

TEST(PluginPresenceFormatTest, TopicIsPerUser) {
  EXPECT_EQ(chat::PresenceTopic("bob"), "chat/sys/presence/bob");
}

TEST(PluginPresenceFormatTest, PayloadHasUserOnlineDevicesLastSeenAndBoot) {
  EXPECT_EQ(PresencePayload(Online("bob", 2, 1700000000123), 42),
            R"({"user":"bob","online":true,"devices":2,"last_seen":1700000000123,"boot":42})");
  EXPECT_EQ(PresencePayload(Offline("bob", 1700000000456, "phone"), 42),
            R"({"user":"bob","online":false,"devices":0,"device":"phone",)"
            R"("last_seen":1700000000456,"boot":42})");
  EXPECT_EQ(presence::EncodeBrokerMark({42, std::nullopt}), R"({"boot":42})");
}

TEST(PluginPresenceFormatTest, AUserThatIsNotAnIdIsStillValidJson) {
  auto event = nlohmann::json::parse(PresencePayload(Online("we\"ird\\", 1, 5), 42));
  EXPECT_EQ(event["user"], "we\"ird\\");
  EXPECT_EQ(event["devices"], 1);
}

}  // namespace
}  // namespace chat::plugin
