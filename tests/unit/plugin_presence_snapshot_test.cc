// The answer to a service's presence snapshot request (docs/PROTOCOL.md
// section 4, $CONTROL/chat/v1/presence): a page mark on chat/sys/broker, then
// the state of each online user of the page, for the requester only.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "identity.h"
#include "presence_snapshot.h"
#include "presence_tracker.h"

namespace chat::plugin {
namespace {

constexpr int64_t kBoot = 1700000000000;
constexpr int64_t kNow = 1700000005000;

class PluginPresenceSnapshotTest : public ::testing::Test {
 protected:
  void Online(ConnectionId connection, std::string_view client_id) {
    std::string_view user = client_id.substr(0, client_id.find(':'));
    tracker_.Connect(connection, IdentityOf(user, client_id), kNow - 1000);
  }
  PresenceSnapshotAnswer Ask(std::string_view request, std::size_t page_users = 500) {
    return AnswerPresenceRequest(IdentityOf("svc:chatd", "svc:chatd"), request, tracker_, kBoot,
                                 kNow, page_users);
  }
  static std::vector<std::string> Topics(const PresenceSnapshotAnswer& answer) {
    std::vector<std::string> topics;
    for (const auto& m : answer.messages) topics.push_back(m.topic);
    return topics;
  }

  PresenceTracker tracker_;
};

TEST_F(PluginPresenceSnapshotTest, PageMarkComesFirstThenEachOnlineUserInIdOrder) {
  Online(1, "carol:phone");
  Online(2, "alice:phone");
  Online(3, "alice:laptop");
  PresenceSnapshotAnswer answer = Ask(R"({"after":""})");
  ASSERT_TRUE(answer.ok) << answer.error;
  EXPECT_EQ(Topics(answer), (std::vector<std::string>{"chat/sys/broker", "chat/sys/presence/alice",
                                                      "chat/sys/presence/carol"}));
  EXPECT_EQ(answer.messages[0].payload,
            R"({"boot":1700000000000,"snapshot":{"after":"","users":2}})");
}

TEST_F(PluginPresenceSnapshotTest, StatesHaveTheFormatOfLiveChangesStampedNowNamingTheDevices) {
  Online(1, "alice:phone");
  Online(2, "alice:laptop");
  PresenceSnapshotAnswer answer = Ask("{}");
  ASSERT_EQ(answer.messages.size(), 2u);
  EXPECT_EQ(answer.messages[1].payload,
            PresencePayload({"alice", true, 2, kNow, "", {"laptop", "phone"}}, kBoot));
  EXPECT_EQ(answer.messages[1].payload,
            R"({"user":"alice","online":true,"devices":2,"device_ids":["laptop","phone"],)"
            R"("last_seen":1700000005000,"boot":1700000000000})");
}

TEST_F(PluginPresenceSnapshotTest, NobodyOnlineAnswersTheLastPageMarkAlone) {
  PresenceSnapshotAnswer answer = Ask(R"({"after":""})");
  ASSERT_TRUE(answer.ok);
  ASSERT_EQ(answer.messages.size(), 1u);
  EXPECT_EQ(answer.messages[0].payload,
            R"({"boot":1700000000000,"snapshot":{"after":"","users":0}})");
}

TEST_F(PluginPresenceSnapshotTest, FullPageNamesItsLastUserAsUntilAndTheNextPageStartsAfterIt) {
  for (ConnectionId i = 1; i <= 5; ++i) Online(i, "u" + std::to_string(i) + ":phone");
  PresenceSnapshotAnswer first = Ask(R"({"after":""})", 2);
  EXPECT_EQ(Topics(first), (std::vector<std::string>{"chat/sys/broker", "chat/sys/presence/u1",
                                                     "chat/sys/presence/u2"}));
  EXPECT_EQ(first.messages[0].payload,
            R"({"boot":1700000000000,"snapshot":{"after":"","until":"u2","users":2}})");
  PresenceSnapshotAnswer second = Ask(R"({"after":"u2"})", 2);
  EXPECT_EQ(second.messages[0].payload,
            R"({"boot":1700000000000,"snapshot":{"after":"u2","until":"u4","users":2}})");
  PresenceSnapshotAnswer last = Ask(R"({"after":"u4"})", 2);
  EXPECT_EQ(Topics(last), (std::vector<std::string>{"chat/sys/broker", "chat/sys/presence/u5"}));
  EXPECT_EQ(last.messages[0].payload,
            R"({"boot":1700000000000,"snapshot":{"after":"u4","users":1}})");
}

TEST_F(PluginPresenceSnapshotTest, OnlyServicesMayAsk) {
  Online(1, "alice:phone");
  for (const Identity& who :
       {IdentityOf("alice", "alice:phone"), IdentityOf("", "random"), Identity{}}) {
    PresenceSnapshotAnswer answer = AnswerPresenceRequest(who, "{}", tracker_, kBoot, kNow);
    EXPECT_FALSE(answer.ok);
    EXPECT_TRUE(answer.messages.empty());
  }
}

TEST_F(PluginPresenceSnapshotTest, MalformedRequestsAnswerNothing) {
  Online(1, "alice:phone");
  for (std::string_view request :
       {"", "not json", "[]", R"({"after":5})", R"({"after":"Alice"})", R"({"after":"a/b"})"}) {
    PresenceSnapshotAnswer answer = Ask(request);
    EXPECT_FALSE(answer.ok) << request;
    EXPECT_FALSE(answer.error.empty()) << request;
    EXPECT_TRUE(answer.messages.empty()) << request;
  }
}

}  // namespace
}  // namespace chat::plugin
