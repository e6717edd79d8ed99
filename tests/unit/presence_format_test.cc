// The presence payloads between the plugin and the services (chat/presence_format.h).
#include "chat/presence_format.h"

#include <gtest/gtest.h>

namespace chat::presence {
namespace {

TEST(PresenceFormat, AUserStateReadsBackAsWritten) {
  UserState state{"bob", true, 2, 1700000000123, 1700000000000};
  std::string payload = EncodeUserState(state);
  EXPECT_EQ(payload, R"({"user":"bob","online":true,"devices":2,"last_seen":1700000000123,)"
                     R"("boot":1700000000000})");
  EXPECT_EQ(ParseUserState(payload), state);

  UserState change{"bob", false, 1, 1700000000456, 1700000000000, "phone"};
  payload = EncodeUserState(change);
  EXPECT_EQ(payload, R"({"user":"bob","online":false,"devices":1,"device":"phone",)"
                     R"("last_seen":1700000000456,"boot":1700000000000})");
  EXPECT_EQ(ParseUserState(payload), change);

  UserState departure{"bob", false, 0, 1700000000456, 1700000000000, "phone", {}, 30, true};
  payload = EncodeUserState(departure);
  EXPECT_EQ(payload, R"({"user":"bob","online":false,"devices":0,"device":"phone",)"
                     R"("last_seen":1700000000456,"boot":1700000000000,"keepalive":30,)"
                     R"("timeout":true})");
  EXPECT_EQ(ParseUserState(payload), departure);
}

TEST(PresenceFormat, ADepartureWithANegativeKeepaliveOrANonBooleanTimeoutReadsAsNeither) {
  std::optional<UserState> state =
      ParseUserState(R"({"user":"bob","online":false,"device":"phone","last_seen":5,"boot":1,)"
                     R"("keepalive":-30,"timeout":"yes"})");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->keepalive_s, 0);
  EXPECT_FALSE(state->timed_out);
  state = ParseUserState(R"({"user":"bob","online":false,"boot":1,"keepalive":1.5})");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->keepalive_s, 0);
}

TEST(PresenceFormat, TheLastPacketBeforeATimeoutIsOneAndAHalfKeepalivesAndThreeSecondsBefore) {
  EXPECT_EQ(LastPacketBeforeTimeout(100'000, 30), 100'000 - 45'000 - 3'000);
  EXPECT_EQ(LastPacketBeforeTimeout(100'000, 1), 100'000 - 1'000 - 3'000);  // whole seconds
}

TEST(PresenceFormat, AUserStateWithoutAValidUserOnlineOrBootIsRefused) {
  for (const char* payload :
       {"", "[]", R"({"online":true,"boot":1})", R"({"user":"Bob!","online":true,"boot":1})",
        R"({"user":"bob","online":"yes","boot":1})", R"({"user":"bob","online":true})",
        R"({"user":"bob","online":true,"boot":1.5})",
        R"({"user":"bob","online":true,"boot":1,"device":"Phone!"})"}) {
    EXPECT_EQ(ParseUserState(payload), std::nullopt) << payload;
  }
}

TEST(PresenceFormat, BrokerMarksWithAndWithoutAPageRange) {
  BrokerMark run{42, std::nullopt};
  EXPECT_EQ(EncodeBrokerMark(run), R"({"boot":42})");
  EXPECT_EQ(ParseBrokerMark(EncodeBrokerMark(run)), run);
  BrokerMark page{7, PageRange{"", "carol"}};
  EXPECT_EQ(EncodeBrokerMark(page), R"({"boot":7,"snapshot":{"after":"","until":"carol"}})");
  EXPECT_EQ(ParseBrokerMark(EncodeBrokerMark(page)), page);
  BrokerMark last{7, PageRange{"carol", std::nullopt}};
  EXPECT_EQ(ParseBrokerMark(EncodeBrokerMark(last)), last);
  BrokerMark counted{7, PageRange{"carol", std::nullopt, 3}};
  EXPECT_EQ(EncodeBrokerMark(counted), R"({"boot":7,"snapshot":{"after":"carol","users":3}})");
  EXPECT_EQ(ParseBrokerMark(EncodeBrokerMark(counted)), counted);
}

TEST(PresenceFormat, AMalformedPageRangeRefusesTheWholeMark) {
  for (const char* payload :
       {R"({"boot":7,"snapshot":{}})", R"({"boot":7,"snapshot":{"after":"b","until":"a"}})",
        R"({"boot":7,"snapshot":{"after":"","until":""}})", R"({"boot":7,"snapshot":[]})",
        R"({"snapshot":{"after":""}})", R"({"boot":7,"snapshot":{"after":"","users":-1}})",
        R"({"boot":7,"snapshot":{"after":"","users":"2"}})", "not json"}) {
    EXPECT_EQ(ParseBrokerMark(payload), std::nullopt) << payload;
  }
}

TEST(PresenceFormat, SnapshotRequests) {
  EXPECT_EQ(ParseSnapshotRequest(EncodeSnapshotRequest("")), "");
  EXPECT_EQ(ParseSnapshotRequest(EncodeSnapshotRequest("carol")), "carol");
  EXPECT_EQ(ParseSnapshotRequest("{}"), "");
  for (const char* payload : {"", "[]", R"({"after":1})", R"({"after":"Not An Id"})"}) {
    EXPECT_EQ(ParseSnapshotRequest(payload), std::nullopt) << payload;
  }
}

TEST(PresenceFormat, KickRequests) {
  EXPECT_EQ(ParseKickRequest(EncodeKickRequest({"bob", "phone"})), (KickRequest{"bob", "phone"}));
  for (const char* bad : {"", "[]", R"({"user":"bob"})", R"({"user":"bob","device":7})",
                          R"({"user":"b/b","device":"phone"})", R"({"user":"bob","device":""})"}) {
    EXPECT_FALSE(ParseKickRequest(bad)) << bad;
  }
}

}  // namespace
}  // namespace chat::presence
