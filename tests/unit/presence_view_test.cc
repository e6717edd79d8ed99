// chatd's view of who is connected, from the plugin's retained presence.
#include "chatd/presence_view.h"

#include <gtest/gtest.h>

namespace chat {
namespace {

constexpr const char* kBroker = "chat/sys/broker";

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

TEST(PresenceView, RetainedStateFromAnEarlierBrokerRunIsStale) {
  PresenceView view;
  view.Apply("chat/sys/presence/bob",
             R"({"user":"bob","online":true,"devices":1,"last_seen":1,"boot":6})");
  view.Apply(kBroker, R"({"boot":7})");  // retained messages arrive in any order
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

}  // namespace
}  // namespace chat
