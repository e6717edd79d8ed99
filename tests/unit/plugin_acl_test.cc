// The topic rules of docs/PROTOCOL.md section 4, as AccessPolicy decides them.
#include <gtest/gtest.h>

#include "access_policy.h"
#include "identity.h"

namespace chat::plugin {
namespace {

constexpr std::size_t kLimit = 1024;

class PluginAclTest : public ::testing::Test {
 protected:
  AclDecision Device(std::string_view topic, Access access, std::size_t bytes = 10,
                     bool retain = false) {
    return policy_.Decide(IdentityOf("alice", "alice:phone"), topic, access, bytes, retain);
  }
  bool DeviceMay(std::string_view topic, Access access) {
    return Device(topic, access) == AclDecision::kAllow;
  }
  bool ServiceMay(std::string_view topic, Access access, bool retain = false) {
    return policy_.Decide(IdentityOf("svc:chatd", "svc:chatd"), topic, access, 100000, retain) ==
           AclDecision::kAllow;
  }

  AccessPolicy policy_{kLimit};
};

// --- identities ---------------------------------------------------------

TEST(PluginIdentityTest, DeviceIdentityComesFromClientIdAndMatchingUsername) {
  Identity who = IdentityOf("alice", "alice:phone");
  EXPECT_TRUE(who.is_device());
  EXPECT_EQ(who.user, "alice");
  EXPECT_EQ(who.device, "phone");
}

TEST(PluginIdentityTest, ClientIdOfAnotherUserGivesNoIdentity) {
  EXPECT_EQ(IdentityOf("alice", "bob:phone").kind, Identity::Kind::kNone);
}

TEST(PluginIdentityTest, MalformedClientIdsGiveNoIdentity) {
  for (std::string_view id : {"alice", "alice:", ":phone", "alice:ph/one", "alice:phone:x",
                              "alice:#", "alice:+", "Alice:phone", ""}) {
    EXPECT_EQ(IdentityOf("alice", id).kind, Identity::Kind::kNone) << id;
  }
}

TEST(PluginIdentityTest, ServiceIdentityNeedsUsernameEqualToClientId) {
  Identity who = IdentityOf("svc:chatd", "svc:chatd");
  EXPECT_TRUE(who.is_service());
  EXPECT_EQ(who.user, "chatd");
  EXPECT_EQ(IdentityOf("svc:chatd", "svc:pushd").kind, Identity::Kind::kNone);
  EXPECT_EQ(IdentityOf("svc:", "svc:").kind, Identity::Kind::kNone);
  EXPECT_EQ(IdentityOf("svc:a/b", "svc:a/b").kind, Identity::Kind::kNone);
}

TEST(PluginIdentityTest, ServiceUsernameNeverYieldsADeviceIdentity) {
  EXPECT_EQ(IdentityOf("svc:chatd", "svc:chatd:x").kind, Identity::Kind::kNone);
}

TEST_F(PluginAclTest, ClientWithoutIdentityMayDoNothing) {
  Identity none = IdentityOf("", "");
  for (Access access : {Access::kRead, Access::kWrite, Access::kSubscribe, Access::kUnsubscribe}) {
    EXPECT_EQ(policy_.Decide(none, "chat/inbox/alice", access, 1, false), AclDecision::kDeny);
  }
}

// --- device publishes ---------------------------------------------------

TEST_F(PluginAclTest, DeviceMayPublishToItsOwnUpTopic) {
  EXPECT_TRUE(DeviceMay("chat/up/alice/phone", Access::kWrite));
}

TEST_F(PluginAclTest, DeviceMayNotPublishToAnotherDevicesUpTopic) {
  EXPECT_FALSE(DeviceMay("chat/up/alice/laptop", Access::kWrite));
}

TEST_F(PluginAclTest, DeviceMayNotPublishToAnotherUsersUpTopic) {
  EXPECT_FALSE(DeviceMay("chat/up/bob/phone", Access::kWrite));
}

TEST_F(PluginAclTest, DeviceMayNotPublishBelowOrAboveItsUpTopic) {
  for (std::string_view topic : {"chat/up/alice", "chat/up/alice/phone/x", "chat/up/alice/phone/",
                                 "chat/up/alice//phone", "chat/up", "chat/up/"}) {
    EXPECT_FALSE(DeviceMay(topic, Access::kWrite)) << topic;
  }
}

TEST_F(PluginAclTest, DeviceMayNotPublishToInboxDevOrSysTopics) {
  for (std::string_view topic :
       {"chat/inbox/alice", "chat/inbox/alice/c1", "chat/inbox/bob/c1", "chat/dev/alice/phone",
        "chat/dev/bob/phone", "chat/sys/presence", "other", ""}) {
    EXPECT_FALSE(DeviceMay(topic, Access::kWrite)) << topic;
  }
}

TEST_F(PluginAclTest, DeviceMayNotPublishToDollarTopics) {
  for (std::string_view topic :
       {"$CONTROL/chat/v2/fanout", "$CONTROL/chat/v1/presence", "$CONTROL/dynamic-security/v1",
        "$SYS/broker/x", "$share/g/chat/up/alice/phone"}) {
    EXPECT_FALSE(DeviceMay(topic, Access::kWrite)) << topic;
  }
}

TEST_F(PluginAclTest, DeviceMayNotPublishRetained) {
  EXPECT_EQ(Device("chat/up/alice/phone", Access::kWrite, 10, /*retain=*/true), AclDecision::kDeny);
}

TEST_F(PluginAclTest, DevicePublishAtTheLimitIsAllowed) {
  EXPECT_EQ(Device("chat/up/alice/phone", Access::kWrite, kLimit), AclDecision::kAllow);
}

TEST_F(PluginAclTest, DevicePublishOverTheLimitIsDeniedWithAnError) {
  EXPECT_EQ(Device("chat/up/alice/phone", Access::kWrite, kLimit + 1), AclDecision::kDenyOversize);
}

TEST_F(PluginAclTest, OversizePublishToAForeignTopicIsAPlainDeny) {
  EXPECT_EQ(Device("chat/up/bob/phone", Access::kWrite, kLimit + 1), AclDecision::kDeny);
}

TEST_F(PluginAclTest, OversizeErrorNamesSizeAndLimit) {
  EXPECT_EQ(policy_.OversizeError(2000),
            R"({"type":"error","code":"payload_too_large",)"
            R"("message":"payload of 2000 bytes exceeds the limit of 1024 bytes","limit":1024})");
}

// --- device subscriptions ------------------------------------------------

TEST_F(PluginAclTest, DeviceMaySubscribeToItsOwnInboxForms) {
  for (std::string_view filter : {"chat/inbox/alice", "chat/inbox/alice/#", "chat/inbox/alice/+",
                                  "chat/inbox/alice/c0123456789abcdef01234567"}) {
    EXPECT_TRUE(DeviceMay(filter, Access::kSubscribe)) << filter;
  }
}

TEST_F(PluginAclTest, DeviceMaySubscribeToItsOwnDevTopic) {
  EXPECT_TRUE(DeviceMay("chat/dev/alice/phone", Access::kSubscribe));
}

TEST_F(PluginAclTest, DeviceMayNotSubscribeToAnotherUsersInbox) {
  for (std::string_view filter :
       {"chat/inbox/bob", "chat/inbox/bob/#", "chat/inbox/bob/+", "chat/inbox/bob/c1",
        "chat/inbox/alicex/#", "chat/inbox/alic/#"}) {
    EXPECT_FALSE(DeviceMay(filter, Access::kSubscribe)) << filter;
  }
}

TEST_F(PluginAclTest, DeviceMayNotSubscribeToAnotherDevicesDevTopic) {
  for (std::string_view filter :
       {"chat/dev/alice/laptop", "chat/dev/bob/phone", "chat/dev/alice/+", "chat/dev/alice/#",
        "chat/dev/+/phone", "chat/dev/alice", "chat/dev/#"}) {
    EXPECT_FALSE(DeviceMay(filter, Access::kSubscribe)) << filter;
  }
}

TEST_F(PluginAclTest, DeviceMayNotSubscribeWithAWildcardAtAnyHigherLevel) {
  for (std::string_view filter :
       {"#", "+", "+/#", "chat/#", "chat/+", "chat/+/alice", "chat/+/alice/#", "chat/inbox/#",
        "chat/inbox/+", "chat/inbox/+/#", "chat/inbox/+/c1", "+/inbox/alice/#", "+/+/+/+",
        "chat/+/+/+", "chat/up/#", "chat/up/+/+", "chat/up/alice/phone", "chat/up/alice/+"}) {
    EXPECT_FALSE(DeviceMay(filter, Access::kSubscribe)) << filter;
  }
}

TEST_F(PluginAclTest, DeviceMayNotSubscribeDeeperThanAConversation) {
  for (std::string_view filter :
       {"chat/inbox/alice/c1/#", "chat/inbox/alice/+/+", "chat/inbox/alice/c1/x",
        "chat/inbox/alice/", "chat/inbox/alice//", "chat/inbox/alice/#/x", "chat/inbox/alice/C1",
        "chat/inbox/alice/c+"}) {
    EXPECT_FALSE(DeviceMay(filter, Access::kSubscribe)) << filter;
  }
}

TEST_F(PluginAclTest, DeviceMayNotSubscribeToSharedSubscriptions) {
  for (std::string_view filter : {"$share/g/chat/inbox/alice/#", "$share/g/chat/dev/alice/phone",
                                  "$share/g/#", "$share/g/chat/up/+/+"}) {
    EXPECT_FALSE(DeviceMay(filter, Access::kSubscribe)) << filter;
  }
}

TEST_F(PluginAclTest, DeviceMayNotSubscribeToSysOrControl) {
  for (std::string_view filter : {"$SYS/#", "$SYS/broker/clients/total", "$CONTROL/#",
                                  "$CONTROL/chat/v2/fanout", "$CONTROL/chat/#"}) {
    EXPECT_FALSE(DeviceMay(filter, Access::kSubscribe)) << filter;
  }
}

// Presence is for services only (PROTOCOL.md section 4), even the user's own.
TEST_F(PluginAclTest, DeviceMayNotSubscribeToPublishToOrReceivePresence) {
  for (std::string_view filter :
       {"chat/sys/#", "chat/sys/presence/#", "chat/sys/presence/+", "chat/sys/presence/alice",
        "chat/sys/presence/bob", "chat/+/#", "chat/+/presence/alice"}) {
    EXPECT_FALSE(DeviceMay(filter, Access::kSubscribe)) << filter;
  }
  for (std::string_view topic : {"chat/sys/presence/alice", "chat/sys/presence/bob"}) {
    EXPECT_FALSE(DeviceMay(topic, Access::kRead)) << topic;
    EXPECT_EQ(Device(topic, Access::kWrite, 10, /*retain=*/true), AclDecision::kDeny) << topic;
    EXPECT_EQ(Device(topic, Access::kWrite, 10, /*retain=*/false), AclDecision::kDeny) << topic;
  }
}

TEST_F(PluginAclTest, DeviceMayUnsubscribeFromAnything) {
  EXPECT_TRUE(DeviceMay("#", Access::kUnsubscribe));
  EXPECT_TRUE(DeviceMay("chat/inbox/alice/#", Access::kUnsubscribe));
}

// --- device deliveries -------------------------------------------------

TEST_F(PluginAclTest, DeviceReceivesItsUsersInboxAndItsDevTopic) {
  for (std::string_view topic :
       {"chat/inbox/alice", "chat/inbox/alice/c1", "chat/dev/alice/phone"}) {
    EXPECT_TRUE(DeviceMay(topic, Access::kRead)) << topic;
  }
}

TEST_F(PluginAclTest, DeviceReceivesNothingElse) {
  for (std::string_view topic :
       {"chat/inbox/bob", "chat/inbox/bob/c1", "chat/inbox/alicex", "chat/inbox/alicex/c1",
        "chat/inbox/alice/", "chat/dev/alice/laptop", "chat/dev/bob/phone", "chat/up/alice/phone",
        "chat/up/bob/phone", "chat/sys/presence", "$SYS/broker/uptime", "$CONTROL/chat/v2/fanout",
        "other"}) {
    EXPECT_FALSE(DeviceMay(topic, Access::kRead)) << topic;
  }
}

// --- services ------------------------------------------------------------

TEST_F(PluginAclTest, ServiceMayPublishOnlyToChatControlTopics) {
  EXPECT_TRUE(ServiceMay("$CONTROL/chat/v2/fanout", Access::kWrite));
  EXPECT_TRUE(ServiceMay("$CONTROL/chat/v1/presence", Access::kWrite));
  for (std::string_view topic :
       {"$CONTROL/dynamic-security/v1", "$CONTROL/chat", "chat/inbox/alice/c1",
        "chat/dev/alice/phone", "chat/up/alice/phone", "chat/sys/presence", "$SYS/broker/x"}) {
    EXPECT_FALSE(ServiceMay(topic, Access::kWrite)) << topic;
  }
}

TEST_F(PluginAclTest, ServiceMayNotPublishRetained) {
  EXPECT_FALSE(ServiceMay("$CONTROL/chat/v2/fanout", Access::kWrite, /*retain=*/true));
}

TEST_F(PluginAclTest, ServicePublishesAreNotLimitedInSize) {
  EXPECT_EQ(policy_.Decide(IdentityOf("svc:chatd", "svc:chatd"), "$CONTROL/chat/v2/fanout",
                           Access::kWrite, 10 * kLimit, false),
            AclDecision::kAllow);
}

TEST_F(PluginAclTest, ServiceMaySubscribeToUpAndSysTopics) {
  for (std::string_view filter :
       {"chat/up/+/+", "chat/up/#", "chat/up/alice/phone", "chat/sys/#"}) {
    EXPECT_TRUE(ServiceMay(filter, Access::kSubscribe)) << filter;
  }
}

TEST_F(PluginAclTest, ServiceMayNotSubscribeToInboxesOrDollarTopics) {
  for (std::string_view filter :
       {"#", "chat/#", "chat/+/+/+", "chat/inbox/alice/#", "chat/dev/alice/phone", "$SYS/#",
        "$CONTROL/#", "$share/g/chat/up/+/+", "chat/up", "chat/sys"}) {
    EXPECT_FALSE(ServiceMay(filter, Access::kSubscribe)) << filter;
  }
}

TEST_F(PluginAclTest, ServiceReceivesUpAndSysTopicsOnly) {
  EXPECT_TRUE(ServiceMay("chat/up/alice/phone", Access::kRead));
  EXPECT_TRUE(ServiceMay("chat/sys/presence", Access::kRead));
  EXPECT_FALSE(ServiceMay("chat/inbox/alice/c1", Access::kRead));
  EXPECT_FALSE(ServiceMay("chat/dev/alice/phone", Access::kRead));
  EXPECT_FALSE(ServiceMay("$SYS/broker/uptime", Access::kRead));
  EXPECT_FALSE(ServiceMay("$SYS/broker/log/E", Access::kRead));
}

TEST_F(PluginAclTest, ServiceMayFollowTheBrokersNoticeLogAlone) {
  EXPECT_TRUE(ServiceMay("$SYS/broker/log/N", Access::kSubscribe));
  EXPECT_TRUE(ServiceMay("$SYS/broker/log/N", Access::kRead));
  EXPECT_FALSE(ServiceMay("$SYS/broker/log/N", Access::kWrite));
  for (std::string_view filter : {"$SYS/broker/log/#", "$SYS/broker/log/+", "$SYS/broker/log/I"}) {
    EXPECT_FALSE(ServiceMay(filter, Access::kSubscribe)) << filter;
  }
  EXPECT_FALSE(DeviceMay("$SYS/broker/log/N", Access::kSubscribe));
  EXPECT_FALSE(DeviceMay("$SYS/broker/log/N", Access::kRead));
}

TEST_F(PluginAclTest, ServiceMayFollowEveryonesPresenceButNotWriteIt) {
  EXPECT_TRUE(ServiceMay("chat/sys/presence/+", Access::kSubscribe));
  EXPECT_TRUE(ServiceMay("chat/sys/presence/bob", Access::kRead));
  EXPECT_FALSE(ServiceMay("chat/sys/presence/bob", Access::kWrite));
  EXPECT_FALSE(ServiceMay("chat/sys/presence/bob", Access::kWrite, /*retain=*/true));
}

TEST_F(PluginAclTest, ServiceMayUnsubscribe) {
  EXPECT_TRUE(ServiceMay("chat/up/+/+", Access::kUnsubscribe));
}

}  // namespace
}  // namespace chat::plugin
