// Identifier rules of docs/PROTOCOL.md section 1.
#include "chat/ids.h"

#include <gtest/gtest.h>

#include "chat/topics.h"

namespace chat {
namespace {

TEST(Ids, UserAndDeviceIdsAreLowercaseAlnumDashUnderscore) {
  EXPECT_TRUE(IsValidId("alice"));
  EXPECT_TRUE(IsValidId("bob_2-phone"));
  EXPECT_TRUE(IsValidId(std::string(64, 'a')));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId(std::string(65, 'a')));
  for (const char* bad : {"Alice", "a/b", "a+", "#", "$sys", "svc:chatd", "a b", "é"}) {
    EXPECT_FALSE(IsValidId(bad)) << bad;
  }
}

TEST(Ids, ClientTokensAllowUuidsButNoTopicCharacters) {
  EXPECT_TRUE(IsValidClientToken("7f0c1c3e-AB12.x:1"));
  EXPECT_FALSE(IsValidClientToken(""));
  EXPECT_FALSE(IsValidClientToken("a/b"));
  EXPECT_FALSE(IsValidClientToken("a b"));
  EXPECT_FALSE(IsValidClientToken(std::string(65, 'x')));
}

TEST(Ids, Utf8ValidationRejectsMalformedSequences) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("h\xC3\xA9llo \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(Ids, PushAppsAreBundleIdsOrPackageNames) {
  EXPECT_TRUE(IsValidPushApp("com.example.chat"));
  EXPECT_TRUE(IsValidPushApp("org.example_app-2"));
  EXPECT_TRUE(IsValidPushApp(std::string(255, 'a')));
  EXPECT_FALSE(IsValidPushApp(""));
  EXPECT_FALSE(IsValidPushApp(std::string(256, 'a')));
  EXPECT_FALSE(IsValidPushApp("com.example/chat"));
  EXPECT_FALSE(IsValidPushApp("com example"));
}

TEST(Ids, ApnsTokensAreAnEvenNumberOfHexDigitsFrom64To200) {
  EXPECT_TRUE(IsValidApnsToken(std::string(64, 'a')));
  EXPECT_TRUE(IsValidApnsToken(std::string(32, 'F') + std::string(32, '0')));
  EXPECT_TRUE(IsValidApnsToken(std::string(200, '9')));
  EXPECT_FALSE(IsValidApnsToken(std::string(62, 'a')));
  EXPECT_FALSE(IsValidApnsToken(std::string(65, 'a')));
  EXPECT_FALSE(IsValidApnsToken(std::string(202, 'a')));
  EXPECT_FALSE(IsValidApnsToken(std::string(63, 'a') + "g"));
}

TEST(Ids, FcmTokensArePrintableAsciiWithoutSpaces) {
  EXPECT_TRUE(IsValidFcmToken("dXk3:APA91b-Hx_y.z"));
  EXPECT_TRUE(IsValidFcmToken(std::string(4096, 'x')));
  EXPECT_FALSE(IsValidFcmToken(""));
  EXPECT_FALSE(IsValidFcmToken(std::string(4097, 'x')));
  EXPECT_FALSE(IsValidFcmToken("a b"));
  EXPECT_FALSE(IsValidFcmToken("a\nb"));
  EXPECT_FALSE(IsValidFcmToken("\xC3\xA9"));
}

TEST(Ids, NewConversationIdsAreValidAndDistinct) {
  std::string a = NewConversationId();
  std::string b = NewConversationId();
  EXPECT_TRUE(IsValidId(a));
  EXPECT_EQ(a.size(), 17u);
  EXPECT_NE(a, b);
}

TEST(Topics, UpTopicParsesOnlyWellFormedDeviceAddresses) {
  EXPECT_EQ(ParseUpTopic("chat/up/alice/phone"), (DeviceAddress{"alice", "phone"}));
  EXPECT_FALSE(ParseUpTopic("chat/up/alice"));
  EXPECT_FALSE(ParseUpTopic("chat/up/alice/phone/x"));
  EXPECT_FALSE(ParseUpTopic("chat/up/Alice/phone"));
  EXPECT_FALSE(ParseUpTopic("chat/inbox/alice/phone"));
}

TEST(Topics, TopicsFollowTheProtocolLayout) {
  EXPECT_EQ(InboxTopic("bob"), "chat/inbox/bob");
  EXPECT_EQ(InboxTopic("bob", "c1"), "chat/inbox/bob/c1");
  EXPECT_EQ(DeviceTopic("bob", "tablet"), "chat/dev/bob/tablet");
  EXPECT_EQ(UpTopic("bob", "tablet"), "chat/up/bob/tablet");
  EXPECT_EQ(ClientIdFor("bob", "tablet"), "bob:tablet");
}

}  // namespace
}  // namespace chat
