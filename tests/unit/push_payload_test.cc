// The provider payloads: their shape for alerts and silent pushes, and the
// 4096-byte limit kept by cutting body, then title, on character boundaries.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "payload.h"

namespace chat::push {
namespace {

using Json = nlohmann::json;

constexpr int64_t kNow = 1'800'000'000;
const std::string kEllipsis = "\xE2\x80\xA6";

Notification Alert() {
  Notification n;
  n.id = "6f1c1e0e-9d35-4c55-9a43-3f1b2d1f7a10";
  n.token = "device-token";
  n.app = "org.example.chat";
  n.kind = NotificationKind::kAlert;
  n.conv = "c_42";
  n.seq = 17;
  n.title = "Alice";
  n.body = "See you at 6";
  n.count = 2;
  n.badge = 5;
  n.expires_at_s = kNow + 3600;
  return n;
}

Notification Silent(NotificationKind kind) {
  Notification n = Alert();
  n.kind = kind;
  n.title.clear();
  n.body.clear();
  return n;
}

// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t extra = c < 0x80           ? 0
                   : (c >> 5) == 0x6  ? 1
                   : (c >> 4) == 0xE  ? 2
                   : (c >> 3) == 0x1E ? 3
                                      : 9;
    if (extra == 9 || i + extra >= s.size()) return false;
    uint32_t cp = extra == 0 ? c : c & (0x3F >> extra);
    for (size_t k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

std::string Repeat(const std::string& piece, size_t bytes) {
  std::string out;
  while (out.size() + piece.size() <= bytes) out += piece;
  return out;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TEST(ApnsPayload, AlertCarriesTitleBodyBadgeSoundThreadAndConversation) {
  Json payload = Json::parse(BuildApnsPayload(Alert()));
  Json expected = {{"aps",
                    {{"alert", {{"title", "Alice"}, {"body", "See you at 6"}}},
                     {"badge", 5},
                     {"sound", "default"},
                     {"thread-id", "c_42"}}},
                   {"conv", "c_42"},
                   {"seq", 17}};
  EXPECT_EQ(payload, expected);
}

// Apple counts a badge change as user-visible: push type alert, priority 5,
// no alert text and no sound.
TEST(ApnsPayload, BadgeUpdateCarriesOnlyTheBadge) {
  Json payload = Json::parse(BuildApnsPayload(Silent(NotificationKind::kBadge)));
  Json expected = {{"aps", {{"badge", 5}}}, {"conv", "c_42"}, {"seq", 17}, {"kind", "badge"}};
  EXPECT_EQ(payload, expected);
}

// A background push may carry content-available only (else BadPriority);
// the app sets the badge from the payload's own "badge".
TEST(ApnsPayload, ClearIsABackgroundPushWithContentAvailableOnly) {
  Json payload = Json::parse(BuildApnsPayload(Silent(NotificationKind::kClear)));
  EXPECT_EQ(payload["kind"], "clear");
  EXPECT_EQ(payload["aps"], (Json{{"content-available", 1}}));
  EXPECT_EQ(payload["badge"], 5);
  EXPECT_EQ(ApnsPushType(Silent(NotificationKind::kClear)), "background");
  EXPECT_EQ(ApnsPushType(Silent(NotificationKind::kBadge)), "alert");
  EXPECT_EQ(ApnsPriority(Silent(NotificationKind::kBadge)), "5");
}

TEST(FcmMessage, AlertHasNotificationStringDataAndHighPriority) {
  Json message = Json::parse(BuildFcmMessage(Alert(), kNow))["message"];
  EXPECT_EQ(message["token"], "device-token");
  EXPECT_EQ(message["notification"], (Json{{"title", "Alice"}, {"body", "See you at 6"}}));
  EXPECT_EQ(
      message["data"],
      (Json{{"conv", "c_42"}, {"seq", "17"}, {"count", "2"}, {"badge", "5"}, {"kind", "alert"}}));
  EXPECT_EQ(message["android"],
            (Json{{"collapse_key", "c_42"}, {"priority", "HIGH"}, {"ttl", "3600s"}}));
  EXPECT_EQ(
      message["apns"]["headers"],
      (Json{{"apns-collapse-id", "c_42"}, {"apns-priority", "10"}, {"apns-push-type", "alert"}}));
  EXPECT_EQ(message["apns"]["payload"]["aps"]["badge"], 5);
}

TEST(FcmMessage, SilentHasNoNotificationAndNormalPriority) {
  Json message = Json::parse(BuildFcmMessage(Silent(NotificationKind::kBadge), kNow))["message"];
  EXPECT_FALSE(message.contains("notification"));
  EXPECT_EQ(message["data"]["kind"], "badge");
  EXPECT_EQ(message["android"]["priority"], "NORMAL");
  EXPECT_EQ(message["apns"]["headers"]["apns-priority"], "5");
  EXPECT_EQ(message["apns"]["headers"]["apns-push-type"], "alert");
  EXPECT_EQ(message["apns"]["payload"]["aps"], (Json{{"badge", 5}}));
}

TEST(FcmMessage, TtlIsZeroWhenTheExpiryPassedOrIsUnset) {
  Notification n = Alert();
  n.expires_at_s = kNow - 5;
  EXPECT_EQ(Json::parse(BuildFcmMessage(n, kNow))["message"]["android"]["ttl"], "0s");
  n.expires_at_s = 0;
  EXPECT_EQ(Json::parse(BuildFcmMessage(n, kNow))["message"]["android"]["ttl"], "0s");
}

TEST(Utf8Prefix, NeverSplitsACharacter) {
  std::string text =
      "a\xE2\x82\xAC"
      "b";  // a€b
  EXPECT_EQ(Utf8Prefix(text, 1), "a");
  EXPECT_EQ(Utf8Prefix(text, 2), "a");
  EXPECT_EQ(Utf8Prefix(text, 3), "a");
  EXPECT_EQ(Utf8Prefix(text, 4), "a\xE2\x82\xAC");
  EXPECT_EQ(Utf8Prefix(text, 10), text);
}

// Every builder, for the truncation tests.
std::vector<std::string> BothPayloads(const Notification& n) {
  return {BuildApnsPayload(n), BuildFcmMessage(n, kNow)};
}

TEST(Truncation, LongMultiByteBodyIsCutToFitKeepingTheTitle) {
  Notification n = Alert();
  n.body = Repeat("\xE2\x82\xAC\xF0\x9F\x98\x80\xC3\xA9", 10 * 1024);  // €😀é
  for (const std::string& payload : BothPayloads(n)) {
    EXPECT_LE(payload.size(), kMaxPayloadBytes);
    EXPECT_GE(payload.size(), kMaxPayloadBytes - 8);  // cut no more than needed
    ASSERT_TRUE(IsValidUtf8(payload));
    Json json = Json::parse(payload);
    const Json& alert =
        json.contains("aps") ? json["aps"]["alert"] : json["message"]["notification"];
    EXPECT_EQ(alert["title"], "Alice");
    std::string body = alert["body"];
    EXPECT_TRUE(EndsWith(body, kEllipsis));
    EXPECT_EQ(n.body.rfind(body.substr(0, body.size() - kEllipsis.size()), 0), 0u);
  }
}

TEST(Truncation, TitleIsCutOnlyWhenTheBodyIsGone) {
  Notification n = Alert();
  n.title = Repeat("\xD0\x96", 6000);  // Ж
  n.body = Repeat("x", 2000);
  for (const std::string& payload : BothPayloads(n)) {
    EXPECT_LE(payload.size(), kMaxPayloadBytes);
    ASSERT_TRUE(IsValidUtf8(payload));
    Json json = Json::parse(payload);
    const Json& alert =
        json.contains("aps") ? json["aps"]["alert"] : json["message"]["notification"];
    EXPECT_EQ(alert["body"], "");
    EXPECT_TRUE(EndsWith(alert["title"], kEllipsis));
  }
}

TEST(Truncation, EscapedCharactersAreCountedAsSent) {
  Notification n = Alert();
  n.body = Repeat("\"\\\x01", 9000);  // each grows when escaped ("\u0001" is 6 bytes)
  for (const std::string& payload : BothPayloads(n)) {
    EXPECT_LE(payload.size(), kMaxPayloadBytes);
    EXPECT_NO_THROW(Json::parse(payload));
  }
}

TEST(Truncation, InvalidUtf8InTheInputBecomesReplacementCharacters) {
  Notification n = Alert();
  n.body = "ok \xC3 then \xFF\xFE and \xE2\x82";
  n.title = Repeat("\xF0\x9F\x98", 5000);  // truncated 4-byte sequences
  for (const std::string& payload : BothPayloads(n)) {
    EXPECT_LE(payload.size(), kMaxPayloadBytes);
    EXPECT_TRUE(IsValidUtf8(payload));
    EXPECT_NO_THROW(Json::parse(payload));
  }
}

TEST(Truncation, SmallPayloadIsLeftWhole) {
  Json payload = Json::parse(BuildApnsPayload(Alert()));
  EXPECT_EQ(payload["aps"]["alert"]["body"], "See you at 6");
}

}  // namespace
}  // namespace chat::push
