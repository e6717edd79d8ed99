// The providers' credentials: the FCM service-account file, its RS256
// assertion and cached access token; the APNs .p8 key and its ES256 provider
// token. Tokens are verified with libjwt against the public keys.
#include <gtest/gtest.h>
#include <jwt.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "apns_token.h"
#include "fcm_credentials.h"
#include "jwt_handle.h"
#include "push_test_keys.h"

namespace chat::push {
namespace {

using testing::GenerateEcKey;
using testing::GenerateRsaKey;
using testing::KeyPair;
using testing::TempDir;

constexpr int64_t kStart = 1'800'000'000;

// The decoded token, or null when the signature does not verify.
JwtHandle Verify(const std::string& token, const std::string& public_pem) {
  jwt_t* raw = nullptr;
  int rc =
      jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(public_pem.data()),
                 static_cast<int>(public_pem.size()));
  return rc == 0 ? JwtHandle(raw) : JwtHandle();
}

std::string ServiceAccountJson(const std::string& private_key) {
  return nlohmann::json{{"type", "service_account"},
                        {"project_id", "chat-test"},
                        {"private_key_id", "abc"},
                        {"private_key", private_key},
                        {"client_email", "pushd@chat-test.iam.gserviceaccount.com"},
                        {"token_uri", "https://127.0.0.1:1/token"}}
      .dump();
}

class ServiceAccountFile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { rsa_ = new KeyPair(GenerateRsaKey()); }
  static void TearDownTestSuite() { delete rsa_; }

  std::string Write(const std::string& content) { return dir_.Write("account.json", content); }

  static KeyPair* rsa_;
  TempDir dir_;
};
KeyPair* ServiceAccountFile::rsa_ = nullptr;

TEST_F(ServiceAccountFile, LoadsTheFieldsFcmNeeds) {
  auto account = LoadServiceAccount(Write(ServiceAccountJson(rsa_->private_pem)));
  ASSERT_TRUE(account.ok()) << account.status().message();
  EXPECT_EQ(account->project_id, "chat-test");
  EXPECT_EQ(account->client_email, "pushd@chat-test.iam.gserviceaccount.com");
  EXPECT_EQ(account->token_uri, "https://127.0.0.1:1/token");
  EXPECT_EQ(account->private_key, rsa_->private_pem);
}

TEST_F(ServiceAccountFile, MissingFileIsNamed) {
  auto account = LoadServiceAccount(dir_.path() + "/absent.json");
  ASSERT_FALSE(account.ok());
  EXPECT_EQ(account.status().code(), Status::Code::kNotFound);
  EXPECT_NE(account.status().message().find(dir_.path() + "/absent.json"), std::string::npos);
}

TEST_F(ServiceAccountFile, NotJsonIsRefusedNamingTheFile) {
  std::string path = Write("{not json");
  auto account = LoadServiceAccount(path);
  ASSERT_FALSE(account.ok());
  EXPECT_NE(account.status().message().find(path), std::string::npos);
  EXPECT_NE(account.status().message().find("not a JSON object"), std::string::npos);
}

TEST_F(ServiceAccountFile, WrongTypeIsRefused) {
  auto json = nlohmann::json::parse(ServiceAccountJson(rsa_->private_pem));
  json["type"] = "authorized_user";
  auto account = LoadServiceAccount(Write(json.dump()));
  ASSERT_FALSE(account.ok());
  EXPECT_NE(account.status().message().find("\"type\""), std::string::npos);
}

TEST_F(ServiceAccountFile, EachMissingFieldIsNamed) {
  for (const char* field : {"project_id", "client_email", "private_key", "token_uri"}) {
    auto json = nlohmann::json::parse(ServiceAccountJson(rsa_->private_pem));
    json.erase(field);
    auto account = LoadServiceAccount(Write(json.dump()));
    ASSERT_FALSE(account.ok()) << field;
    EXPECT_NE(account.status().message().find(std::string("\"") + field + "\""), std::string::npos)
        << account.status().message();
  }
}

TEST_F(ServiceAccountFile, NonRsaKeyIsRefusedWithoutQuotingIt) {
  KeyPair ec = GenerateEcKey();
  auto account = LoadServiceAccount(Write(ServiceAccountJson(ec.private_pem)));
  ASSERT_FALSE(account.ok());
  EXPECT_NE(account.status().message().find("holds a key of type EC P-256, not RSA"),
            std::string::npos)
      << account.status().message();
  EXPECT_EQ(account.status().message().find("PRIVATE KEY"), std::string::npos);
}

TEST_F(ServiceAccountFile, UnreadableKeyIsRefused) {
  auto account = LoadServiceAccount(Write(ServiceAccountJson("-----BEGIN PRIVATE KEY-----\nxx")));
  ASSERT_FALSE(account.ok());
  EXPECT_NE(account.status().message().find("not a readable PEM private key"), std::string::npos);
  EXPECT_EQ(account.status().message().find("xx"), std::string::npos);
}

class FcmToken : public ServiceAccountFile {
 protected:
  ServiceAccount Account() const {
    return ServiceAccount{"chat-test", "pushd@chat-test.iam.gserviceaccount.com", rsa_->private_pem,
                          "https://127.0.0.1:1/token"};
  }

  // Answers the exchange as Google does, with tokens "tok-1", "tok-2", ...
  FcmCredentials Credentials() {
    return FcmCredentials(
        Account(),
        [this](const HttpRequest& request) {
          requests_.push_back(request);
          HttpResponse response;
          response.status = answer_status_;
          response.error = answer_status_ == 0 ? "Connection refused" : "";
          response.body =
              answer_status_ == 200
                  ? nlohmann::json{{"access_token", "tok-" + std::to_string(requests_.size())},
                                   {"expires_in", 3599},
                                   {"token_type", "Bearer"}}
                        .dump()
                  : R"({"error":"invalid_grant","error_description":"bad"})";
          return response;
        },
        [this] { return now_s_; });
  }

  int64_t now_s_ = kStart;
  int answer_status_ = 200;
  std::vector<HttpRequest> requests_;
};

TEST_F(FcmToken, AssertionIsRs256WithTheGoogleClaims) {
  auto assertion = MintAssertion(Account(), kStart);
  ASSERT_TRUE(assertion.ok()) << assertion.status().message();
  JwtHandle jwt = Verify(*assertion, rsa_->public_pem);
  ASSERT_TRUE(jwt) << "signature does not verify";
  EXPECT_EQ(jwt_get_alg(jwt.get()), JWT_ALG_RS256);
  EXPECT_STREQ(jwt_get_header(jwt.get(), "typ"), "JWT");
  EXPECT_STREQ(jwt_get_grant(jwt.get(), "iss"), "pushd@chat-test.iam.gserviceaccount.com");
  EXPECT_STREQ(jwt_get_grant(jwt.get(), "scope"),
               "https://www.googleapis.com/auth/firebase.messaging");
  EXPECT_STREQ(jwt_get_grant(jwt.get(), "aud"), "https://127.0.0.1:1/token");
  EXPECT_EQ(jwt_get_grant_int(jwt.get(), "iat"), kStart);
  EXPECT_EQ(jwt_get_grant_int(jwt.get(), "exp"), kStart + 3600);
}

TEST_F(FcmToken, ExchangePostsTheJwtBearerGrantToTheTokenUri) {
  FcmCredentials credentials = Credentials();
  ASSERT_TRUE(credentials.AccessToken().ok());
  ASSERT_EQ(requests_.size(), 1u);
  const HttpRequest& request = requests_[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "https://127.0.0.1:1/token");
  EXPECT_EQ(request.headers,
            std::vector<std::string>{"content-type: application/x-www-form-urlencoded"});
  const std::string prefix =
      "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=";
  ASSERT_EQ(request.body.rfind(prefix, 0), 0u) << request.body;
  EXPECT_TRUE(Verify(request.body.substr(prefix.size()), rsa_->public_pem));
}

TEST_F(FcmToken, AccessTokenIsReusedUntilFiveMinutesBeforeItExpires) {
  FcmCredentials credentials = Credentials();
  EXPECT_EQ(*credentials.AccessToken(), "tok-1");
  now_s_ = kStart + 3599 - 300 - 1;
  EXPECT_EQ(*credentials.AccessToken(), "tok-1");
  EXPECT_EQ(credentials.exchanges(), 1);
  now_s_ = kStart + 3599 - 300;
  EXPECT_EQ(*credentials.AccessToken(), "tok-2");
  EXPECT_EQ(credentials.exchanges(), 2);
}

TEST_F(FcmToken, InvalidateOfTheCurrentTokenExchangesOnceMore) {
  FcmCredentials credentials = Credentials();
  std::string first = *credentials.AccessToken();
  credentials.Invalidate(first);
  EXPECT_EQ(*credentials.AccessToken(), "tok-2");
  credentials.Invalidate(first);  // a late 401 for the replaced token
  EXPECT_EQ(*credentials.AccessToken(), "tok-2");
  EXPECT_EQ(credentials.exchanges(), 2);
}

TEST_F(FcmToken, UnreachableTokenEndpointIsRetriedOnlyAfterTenSeconds) {
  answer_status_ = 0;
  FcmCredentials credentials = Credentials();
  auto token = credentials.AccessToken();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), Status::Code::kNotConnected);
  now_s_ += 9;
  EXPECT_FALSE(credentials.AccessToken().ok());
  EXPECT_EQ(credentials.exchanges(), 1);
  answer_status_ = 200;
  now_s_ += 1;
  EXPECT_TRUE(credentials.AccessToken().ok());
  EXPECT_EQ(credentials.exchanges(), 2);
}

TEST_F(FcmToken, RefusedAssertionIsACredentialError) {
  answer_status_ = 400;
  FcmCredentials credentials = Credentials();
  auto token = credentials.AccessToken();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), Status::Code::kRefused);
  EXPECT_NE(token.status().message().find("invalid_grant"), std::string::npos);
}

TEST_F(FcmToken, UnexpiredTokenServesWhileItsRefreshFails) {
  FcmCredentials credentials = Credentials();
  EXPECT_EQ(*credentials.AccessToken(), "tok-1");
  answer_status_ = 503;
  now_s_ = kStart + 3599 - 100;  // in the refresh margin, not expired
  EXPECT_EQ(*credentials.AccessToken(), "tok-1");
  now_s_ = kStart + 3599;
  EXPECT_FALSE(credentials.AccessToken().ok());
}

class ApnsKeyFile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ec_ = new KeyPair(GenerateEcKey()); }
  static void TearDownTestSuite() { delete ec_; }

  static KeyPair* ec_;
  TempDir dir_;
};
KeyPair* ApnsKeyFile::ec_ = nullptr;

TEST_F(ApnsKeyFile, LoadsAP256KeyWithItsIds) {
  auto key = LoadApnsKey(dir_.Write("AuthKey.p8", ec_->private_pem), "ABC123DEFG", "TEAM123456");
  ASSERT_TRUE(key.ok()) << key.status().message();
  EXPECT_EQ(key->key_id, "ABC123DEFG");
  EXPECT_EQ(key->team_id, "TEAM123456");
}

TEST_F(ApnsKeyFile, MissingFileIsNamed) {
  auto key = LoadApnsKey(dir_.path() + "/none.p8", "ABC123DEFG", "TEAM123456");
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find(dir_.path() + "/none.p8"), std::string::npos);
}

TEST_F(ApnsKeyFile, IdsMustBeTenCharacters) {
  std::string path = dir_.Write("AuthKey.p8", ec_->private_pem);
  auto short_kid = LoadApnsKey(path, "ABC", "TEAM123456");
  ASSERT_FALSE(short_kid.ok());
  EXPECT_NE(short_kid.status().message().find("key id \"ABC\""), std::string::npos);
  auto long_team = LoadApnsKey(path, "ABC123DEFG", "TEAM1234567");
  ASSERT_FALSE(long_team.ok());
  EXPECT_NE(long_team.status().message().find("team id"), std::string::npos);
}

TEST_F(ApnsKeyFile, OtherKeyKindsAreRefusedNamingTheFile) {
  std::string rsa = dir_.Write("rsa.p8", GenerateRsaKey().private_pem);
  auto key = LoadApnsKey(rsa, "ABC123DEFG", "TEAM123456");
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find(rsa + ": holds a key of type RSA"), std::string::npos)
      << key.status().message();
  std::string p384 = dir_.Write("p384.p8", GenerateEcKey("P-384").private_pem);
  key = LoadApnsKey(p384, "ABC123DEFG", "TEAM123456");
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find("secp384r1"), std::string::npos) << key.status().message();
}

TEST_F(ApnsKeyFile, ProviderTokenIsEs256WithKidIssAndIat) {
  ApnsKey key{ec_->private_pem, "ABC123DEFG", "TEAM123456"};
  auto token = MintProviderToken(key, kStart);
  ASSERT_TRUE(token.ok()) << token.status().message();
  JwtHandle jwt = Verify(*token, ec_->public_pem);
  ASSERT_TRUE(jwt) << "signature does not verify";
  EXPECT_EQ(jwt_get_alg(jwt.get()), JWT_ALG_ES256);
  EXPECT_STREQ(jwt_get_header(jwt.get(), "kid"), "ABC123DEFG");
  EXPECT_STREQ(jwt_get_grant(jwt.get(), "iss"), "TEAM123456");
  EXPECT_EQ(jwt_get_grant_int(jwt.get(), "iat"), kStart);
  // JWS wants the raw 64-byte r||s, 86 base64url characters, not DER.
  EXPECT_EQ(token->size() - token->rfind('.') - 1, 86u);
}

class ApnsSigner : public ApnsKeyFile {
 protected:
  ApnsTokenSigner Signer(int64_t renew_after_s = ApnsTokenSigner::kDefaultRenewAfterS) {
    return ApnsTokenSigner(
        ApnsKey{ec_->private_pem, "ABC123DEFG", "TEAM123456"}, [this] { return now_s_; },
        renew_after_s);
  }
  int64_t now_s_ = kStart;
};

TEST_F(ApnsSigner, TokenIsReusedForFortyMinutes) {
  ApnsTokenSigner signer = Signer();
  std::string first = *signer.Token();
  now_s_ = kStart + 40 * 60 - 1;
  EXPECT_EQ(*signer.Token(), first);
  now_s_ = kStart + 40 * 60;
  EXPECT_NE(*signer.Token(), first);
  EXPECT_EQ(signer.mints(), 2);
}

TEST_F(ApnsSigner, RenewalAgeIsClampedToTwentyToFiftyMinutes) {
  EXPECT_EQ(Signer(60).renew_after_s(), 20 * 60);
  EXPECT_EQ(Signer(4 * 3600).renew_after_s(), 50 * 60);
  EXPECT_EQ(Signer(30 * 60).renew_after_s(), 30 * 60);
}

TEST_F(ApnsSigner, InvalidateRenewsOnlyATokenTwentyMinutesOld) {
  ApnsTokenSigner signer = Signer();
  std::string first = *signer.Token();
  now_s_ = kStart + 20 * 60 - 1;
  signer.Invalidate(first);
  EXPECT_EQ(*signer.Token(), first);  // sooner would be TooManyProviderTokenUpdates
  now_s_ = kStart + 20 * 60;
  signer.Invalidate(first);
  EXPECT_NE(*signer.Token(), first);
  EXPECT_EQ(signer.mints(), 2);
}

}  // namespace
}  // namespace chat::push
