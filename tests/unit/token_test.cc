// Access token signing and verification (docs/PROTOCOL.md section 3).
#include "chat/token.h"

#include <gtest/gtest.h>

#include "chat/key_file.h"
#include "chat/support/base64url.h"

namespace chat {
namespace {

constexpr int64_t kNow = 1'700'000'000;

SigningKey KeyOf(char fill) { return SigningKey(32, static_cast<unsigned char>(fill)); }

TokenClaims DeviceClaims() { return {"alice", "phone", "0123abcd", kNow, kNow + 3600, false}; }

TEST(Token, SignedDeviceTokenVerifiesWithItsClaims) {
  std::string token = TokenSigner(KeyOf('k')).Sign(DeviceClaims());
  TokenCheck check = TokenVerifier(KeyOf('k')).Verify(token, kNow);
  ASSERT_TRUE(check.ok()) << TokenErrorName(check.error);
  EXPECT_EQ(check.claims.user, "alice");
  EXPECT_EQ(check.claims.device, "phone");
  EXPECT_EQ(check.claims.jti, "0123abcd");
  EXPECT_EQ(check.claims.expires_at_s, kNow + 3600);
  EXPECT_FALSE(check.claims.service);
}

TEST(Token, ServiceTokenCarriesNoDevice) {
  TokenClaims claims{"chatd", "", "feed", kNow, kNow + 60, true};
  TokenCheck check = TokenVerifier(KeyOf('k')).Verify(TokenSigner(KeyOf('k')).Sign(claims), kNow);
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check.claims.service);
  EXPECT_EQ(check.claims.user, "chatd");
}

TEST(Token, TokenSignedWithAnotherKeyIsRefused) {
  std::string token = TokenSigner(KeyOf('x')).Sign(DeviceClaims());
  EXPECT_EQ(TokenVerifier(KeyOf('k')).Verify(token, kNow).error, TokenError::kBadSignature);
}

TEST(Token, ExpiredTokenIsRefused) {
  std::string token = TokenSigner(KeyOf('k')).Sign(DeviceClaims());
  EXPECT_EQ(TokenVerifier(KeyOf('k')).Verify(token, kNow + 3600).error, TokenError::kExpired);
}

TEST(Token, TamperedPayloadIsRefused) {
  std::string token = TokenSigner(KeyOf('k')).Sign(DeviceClaims());
  auto first = token.find('.');
  auto second = token.find('.', first + 1);
  std::string forged_payload = support::Base64UrlEncode(
      R"({"sub":"bob","dev":"phone","jti":"0123abcd","kind":"device","iat":1700000000,"exp":1700003600})");
  std::string forged = token.substr(0, first + 1) + forged_payload + token.substr(second);
  EXPECT_FALSE(TokenVerifier(KeyOf('k')).Verify(forged, kNow).ok());
}

TEST(Token, AlgNoneIsRefused) {
  std::string header = support::Base64UrlEncode(R"({"alg":"none","typ":"JWT"})");
  std::string payload = support::Base64UrlEncode(
      R"({"sub":"alice","dev":"phone","jti":"0123abcd","kind":"device","iat":1700000000,"exp":1800000000})");
  for (const std::string& token : {header + "." + payload + ".", header + "." + payload + ".x"}) {
    EXPECT_FALSE(TokenVerifier(KeyOf('k')).Verify(token, kNow).ok()) << token;
  }
}

TEST(Token, OnlyHs256IsAccepted) {
  std::string token = TokenSigner(KeyOf('k')).Sign(DeviceClaims());
  std::string rest = token.substr(token.find('.'));
  for (const char* header : {R"({"alg":"none","typ":"JWT"})", R"({"alg":"HS512","typ":"JWT"})",
                             R"({"alg":"RS256","typ":"JWT"})", R"({"typ":"JWT"})"}) {
    EXPECT_EQ(TokenVerifier(KeyOf('k')).Verify(support::Base64UrlEncode(header) + rest, kNow).error,
              TokenError::kWrongAlgorithm)
        << header;
  }
}

TEST(Token, ATruncatedOrPaddedSignatureIsRefused) {
  std::string token = TokenSigner(KeyOf('k')).Sign(DeviceClaims());
  for (const std::string& forged : {token.substr(0, token.size() - 2), token + "AA", token + "="}) {
    EXPECT_FALSE(TokenVerifier(KeyOf('k')).Verify(forged, kNow).ok()) << forged;
  }
}

// The signature's last symbol carries 2 bits that are no part of any byte;
// setting one spells the same signature differently, which is refused.
TEST(Token, ASignatureRespelledInItsUnusedBitsIsRefused) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string token = TokenSigner(KeyOf('k')).Sign(DeviceClaims());
  ASSERT_TRUE(TokenVerifier(KeyOf('k')).Verify(token, kNow).ok());
  token.back() = kAlphabet[kAlphabet.find(token.back()) | 1];
  EXPECT_EQ(TokenVerifier(KeyOf('k')).Verify(token, kNow).error, TokenError::kBadSignature);
}

TEST(Token, MoreThanThreePartsIsMalformed) {
  std::string token = TokenSigner(KeyOf('k')).Sign(DeviceClaims());
  auto first = token.find('.');
  std::string four = token.substr(0, first + 1) + "e30." + token.substr(first + 1);
  EXPECT_EQ(TokenVerifier(KeyOf('k')).Verify(four, kNow).error, TokenError::kMalformed);
}

TEST(Token, GarbageIsMalformed) {
  for (const char* token : {"", "abc", "a.b", "..", "a..b", "not a token at all"}) {
    EXPECT_FALSE(TokenVerifier(KeyOf('k')).Verify(token, kNow).ok()) << token;
  }
  EXPECT_EQ(TokenVerifier(KeyOf('k')).Verify("abc", kNow).error, TokenError::kMalformed);
}

TEST(Token, InvalidIdsInClaimsAreRefused) {
  TokenClaims claims = DeviceClaims();
  claims.user = "Alice/../bob";
  std::string token = TokenSigner(KeyOf('k')).Sign(claims);
  EXPECT_EQ(TokenVerifier(KeyOf('k')).Verify(token, kNow).error, TokenError::kInvalidClaim);
}

TEST(KeyFile, GeneratedKeyLoadsAs32Bytes) {
  std::string path = ::testing::TempDir() + "/key_test.hex";
  {
    FILE* f = fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fputs(GenerateKeyText().c_str(), f);
    fclose(f);
  }
  auto key = LoadKeyFile(path);
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(key->size(), 32u);
}

TEST(KeyFile, MissingOrShortKeyNamesTheFile) {
  auto key = LoadKeyFile("/nonexistent/key");
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find("/nonexistent/key"), std::string::npos);
}

}  // namespace
}  // namespace chat
