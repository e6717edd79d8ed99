// The connect check of docs/PROTOCOL.md sections 2 and 3, as Authenticator
// decides it: every refusal is a refusal, with a reason for the log.
#include <gtest/gtest.h>
#include <jwt.h>

#include <memory>
#include <string>
#include <vector>

#include "authenticator.h"
#include "chat/support/base64url.h"
#include "chat/token.h"

namespace chat::plugin {
namespace {

constexpr int64_t kNow = 1700000000;

SigningKey KeyOf(unsigned char fill) { return SigningKey(32, fill); }

// Records lookups and answers with a fixed status.
class FakeRegistry : public TokenRegistry {
 public:
  Registration Check(std::string_view jti, std::string_view user,
                     std::string_view device) override {
    calls.push_back(std::string(jti) + "|" + std::string(user) + "|" + std::string(device));
    return {status, status == RegistrationStatus::kUnavailable ? "disk on fire" : ""};
  }
  RegistrationStatus status = RegistrationStatus::kActive;
  std::vector<std::string> calls;
};

class PluginAuthTest : public ::testing::Test {
 protected:
  TokenClaims DeviceClaims(std::string user = "alice", std::string device = "phone") {
    return {std::move(user), std::move(device), "0123456789abcdef0123456789abcdef",
            kNow - 60,       kNow + 3600,       false};
  }
  TokenClaims ServiceClaims(std::string name = "chatd") {
    return {std::move(name), "", "fedcba9876543210fedcba9876543210", kNow - 60, kNow + 3600, true};
  }
  std::string Sign(const TokenClaims& claims) { return signer_.Sign(claims); }
  AuthDecision Check(std::string_view username, std::string_view password,
                     std::string_view client_id) {
    return authenticator_.Check(username, password, client_id, kNow);
  }
  void ExpectRefused(const AuthDecision& decision, std::string_view reason) {
    EXPECT_FALSE(decision.allowed);
    EXPECT_EQ(decision.reason, reason);
  }

  TokenSigner signer_{KeyOf(7)};
  FakeRegistry registry_;
  Authenticator authenticator_{KeyOf(7), registry_};
};

TEST_F(PluginAuthTest, DeviceWithAGoodTokenMayConnect) {
  AuthDecision decision = Check("alice", Sign(DeviceClaims()), "alice:phone");
  EXPECT_TRUE(decision.allowed) << decision.reason;
  EXPECT_TRUE(decision.reason.empty());
}

TEST_F(PluginAuthTest, DeviceTokenIsCheckedAgainstTheRegistryWithItsOwnClaims) {
  Check("alice", Sign(DeviceClaims()), "alice:phone");
  ASSERT_EQ(registry_.calls.size(), 1u);
  EXPECT_EQ(registry_.calls[0], "0123456789abcdef0123456789abcdef|alice|phone");
}

TEST_F(PluginAuthTest, MissingUsernameIsRefused) {
  ExpectRefused(Check("", Sign(DeviceClaims()), "alice:phone"), "missing username");
}

TEST_F(PluginAuthTest, MissingPasswordIsRefused) {
  ExpectRefused(Check("alice", "", "alice:phone"), "missing password");
}

TEST_F(PluginAuthTest, TokenForAnotherUserIsRefused) {
  ExpectRefused(Check("bob", Sign(DeviceClaims("alice")), "bob:phone"),
                "token issued for another user");
}

TEST_F(PluginAuthTest, TokenForAnotherDeviceIsRefused) {
  ExpectRefused(Check("alice", Sign(DeviceClaims("alice", "laptop")), "alice:phone"),
                "client id is not alice:laptop");
}

TEST_F(PluginAuthTest, ClientIdOfAnotherUserIsRefused) {
  ExpectRefused(Check("alice", Sign(DeviceClaims()), "bob:phone"), "client id is not alice:phone");
}

TEST_F(PluginAuthTest, ClientIdThatIsNotUserColonDeviceIsRefused) {
  for (std::string_view id : {"alice", "phone", "alice:phone:x", "alice-phone", "", "alice:"}) {
    EXPECT_FALSE(Check("alice", Sign(DeviceClaims()), id).allowed) << id;
  }
}

TEST_F(PluginAuthTest, ExpiredTokenIsRefused) {
  TokenClaims claims = DeviceClaims();
  claims.expires_at_s = kNow;
  ExpectRefused(Check("alice", Sign(claims), "alice:phone"), "expired");
}

TEST_F(PluginAuthTest, TokenSignedWithAnotherKeyIsRefused) {
  TokenSigner other(KeyOf(8));
  ExpectRefused(Check("alice", other.Sign(DeviceClaims()), "alice:phone"), "bad_signature");
}

TEST_F(PluginAuthTest, TokenWithAlgNoneIsRefused) {
  std::string header = support::Base64UrlEncode(R"({"alg":"none","typ":"JWT"})");
  std::string payload = support::Base64UrlEncode(
      R"({"sub":"alice","dev":"phone","kind":"device","jti":"0123456789abcdef0123456789abcdef",)"
      R"("iat":1699999940,"exp":1700003600})");
  for (const std::string& token :
       {header + "." + payload + ".", header + "." + payload + ".c2lnbmF0dXJl"}) {
    AuthDecision decision = Check("alice", token, "alice:phone");
    EXPECT_FALSE(decision.allowed) << token;
  }
  EXPECT_TRUE(registry_.calls.empty());
}

TEST_F(PluginAuthTest, TokenWithAnotherHmacAlgorithmIsRefused) {
  jwt_t* raw = nullptr;
  ASSERT_EQ(jwt_new(&raw), 0);
  std::unique_ptr<jwt_t, void (*)(jwt_t*)> jwt(raw, jwt_free);
  jwt_add_grant(raw, "sub", "alice");
  jwt_add_grant(raw, "dev", "phone");
  jwt_add_grant(raw, "kind", "device");
  jwt_add_grant(raw, "jti", "0123456789abcdef0123456789abcdef");
  jwt_add_grant_int(raw, "iat", kNow - 60);
  jwt_add_grant_int(raw, "exp", kNow + 3600);
  SigningKey key = KeyOf(7);
  ASSERT_EQ(jwt_set_alg(raw, JWT_ALG_HS512, key.data(), static_cast<int>(key.size())), 0);
  char* encoded = jwt_encode_str(raw);
  ASSERT_NE(encoded, nullptr);
  std::string token(encoded);
  free(encoded);
  ExpectRefused(Check("alice", token, "alice:phone"), "wrong_algorithm");
}

TEST_F(PluginAuthTest, GarbagePasswordIsRefused) {
  for (std::string_view garbage : {"hunter2", "a.b.c", "...", "eyJ.eyJ.sig", "\x01\x02\xff"}) {
    EXPECT_FALSE(Check("alice", garbage, "alice:phone").allowed) << garbage;
  }
  EXPECT_TRUE(registry_.calls.empty());
}

TEST_F(PluginAuthTest, TamperedClaimsAreRefused) {
  std::string token = Sign(DeviceClaims("alice"));
  std::string forged_payload = support::Base64UrlEncode(
      R"({"sub":"bob","dev":"phone","kind":"device","jti":"0123456789abcdef0123456789abcdef",)"
      R"("iat":1699999940,"exp":1700003600})");
  auto first = token.find('.');
  auto last = token.rfind('.');
  std::string forged = token.substr(0, first + 1) + forged_payload + token.substr(last);
  ExpectRefused(Check("bob", forged, "bob:phone"), "bad_signature");
}

TEST_F(PluginAuthTest, ServiceTokenUsedByADeviceIsRefused) {
  ExpectRefused(Check("chatd", Sign(ServiceClaims("chatd")), "chatd:phone"),
                "service token used for a device");
}

TEST_F(PluginAuthTest, DeviceTokenUsedByAServiceIsRefused) {
  ExpectRefused(Check("svc:alice", Sign(DeviceClaims("alice")), "svc:alice"),
                "device token used for a service");
}

TEST_F(PluginAuthTest, ServiceWithAGoodTokenMayConnectWithoutARegistryLookup) {
  registry_.status = RegistrationStatus::kUnavailable;
  AuthDecision decision = Check("svc:chatd", Sign(ServiceClaims("chatd")), "svc:chatd");
  EXPECT_TRUE(decision.allowed) << decision.reason;
  EXPECT_TRUE(registry_.calls.empty());
}

TEST_F(PluginAuthTest, ServiceTokenForAnotherServiceIsRefused) {
  ExpectRefused(Check("svc:pushd", Sign(ServiceClaims("chatd")), "svc:pushd"),
                "token issued for another service");
}

TEST_F(PluginAuthTest, ServiceWithAnotherClientIdIsRefused) {
  ExpectRefused(Check("svc:chatd", Sign(ServiceClaims("chatd")), "chatd"),
                "client id must equal the service username");
}

TEST_F(PluginAuthTest, ExpiredServiceTokenIsRefused) {
  TokenClaims claims = ServiceClaims();
  claims.expires_at_s = kNow - 1;
  ExpectRefused(Check("svc:chatd", Sign(claims), "svc:chatd"), "expired");
}

TEST_F(PluginAuthTest, RevokedTokenIsRefused) {
  registry_.status = RegistrationStatus::kRevoked;
  ExpectRefused(Check("alice", Sign(DeviceClaims()), "alice:phone"), "revoked");
}

TEST_F(PluginAuthTest, UnregisteredTokenIsRefused) {
  registry_.status = RegistrationStatus::kUnknownToken;
  ExpectRefused(Check("alice", Sign(DeviceClaims()), "alice:phone"), "unknown_token");
}

TEST_F(PluginAuthTest, TokenOfARemovedDeviceOrUserIsRefused) {
  for (auto status : {RegistrationStatus::kUnknownDevice, RegistrationStatus::kUnknownUser,
                      RegistrationStatus::kUserDisabled}) {
    registry_.status = status;
    ExpectRefused(Check("alice", Sign(DeviceClaims()), "alice:phone"),
                  RegistrationStatusName(status));
  }
}

TEST_F(PluginAuthTest, UnavailableRegistryFailsClosed) {
  registry_.status = RegistrationStatus::kUnavailable;
  ExpectRefused(Check("alice", Sign(DeviceClaims()), "alice:phone"),
                "registry_unavailable (disk on fire)");
}

TEST_F(PluginAuthTest, RefusalIsNotRemembered) {
  registry_.status = RegistrationStatus::kUnknownToken;
  EXPECT_FALSE(Check("alice", Sign(DeviceClaims()), "alice:phone").allowed);
  registry_.status = RegistrationStatus::kActive;
  EXPECT_TRUE(Check("alice", Sign(DeviceClaims()), "alice:phone").allowed);
}

}  // namespace
}  // namespace chat::plugin
