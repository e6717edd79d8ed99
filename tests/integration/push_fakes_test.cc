// The fake APNs and FCM (tests/fakes/push_fakes.py) driven the way pushd will
// drive them: libcurl over HTTP/2 and TLS, provider tokens signed by libjwt.
// What the fakes refuse here is what the real services refuse.
#include "harness/push_fakes.h"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <jwt.h>
#include <stdlib.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace chat::testing {
namespace {

using nlohmann::json;

const std::string kDevice(64, 'a');  // a well-formed APNs device token
const std::string kAlert = R"({"aps":{"alert":{"title":"Ann","body":"hi"}}})";
constexpr char kFcmToken[] = "fcm-device-token-1";

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

// A JWT signed with `alg` and `key` (PEM) carrying string and integer claims.
std::string SignJwt(jwt_alg_t alg, const std::string& key,
                    const std::map<std::string, std::string>& header,
                    const std::map<std::string, std::string>& claims,
                    const std::map<std::string, int64_t>& int_claims) {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error("jwt_new failed");
  std::unique_ptr<jwt_t, decltype(&jwt_free)> token(raw, jwt_free);
  for (const auto& [name, value] : header) jwt_add_header(token.get(), name.c_str(), value.c_str());
  for (const auto& [name, value] : claims) jwt_add_grant(token.get(), name.c_str(), value.c_str());
  for (const auto& [name, value] : int_claims) {
    jwt_add_grant_int(token.get(), name.c_str(), static_cast<long>(value));
  }
  if (jwt_set_alg(token.get(), alg, reinterpret_cast<const unsigned char*>(key.data()),
                  static_cast<int>(key.size())) != 0) {
    throw std::runtime_error("jwt_set_alg failed");
  }
  std::unique_ptr<char, decltype(&free)> encoded(jwt_encode_str(token.get()), free);
  if (!encoded) throw std::runtime_error("jwt_encode_str failed");
  return encoded.get();
}

struct Reply {
  CURLcode code = CURLE_OK;
  long status = 0;
  long http_version = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  json Json() const { return json::parse(body); }
};

size_t AppendBody(char* data, size_t size, size_t n, void* reply) {
  static_cast<Reply*>(reply)->body.append(data, size * n);
  return size * n;
}

size_t AppendHeader(char* data, size_t size, size_t n, void* reply) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r\n") + 1);
    static_cast<Reply*>(reply)->headers[name] = value;
  }
  return size * n;
}

// One curl easy handle: its requests share a connection while it stays open.
class Http {
 public:
  explicit Http(const std::string& ca_file, long version = CURL_HTTP_VERSION_2TLS)
      : curl_(curl_easy_init(), curl_easy_cleanup), ca_file_(ca_file), version_(version) {}

  // Prepares a POST into `reply` without running it (for the multi handle).
  void Prepare(const std::string& url, const std::vector<std::string>& headers,
               const std::string& body, Reply* reply) {
    body_ = body;
    headers_.reset();
    for (const std::string& header : headers) {
      headers_.reset(curl_slist_append(headers_.release(), header.c_str()));
    }
    CURL* curl = curl_.get();
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, version_);
    curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file_.c_str());
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body_.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body_.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers_.get());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, reply);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, AppendHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, reply);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_PIPEWAIT, 1L);
  }

  Reply Post(const std::string& url, const std::vector<std::string>& headers,
             const std::string& body) {
    Reply reply;
    Prepare(url, headers, body, &reply);
    reply.code = curl_easy_perform(curl_.get());
    Finish(&reply);
    return reply;
  }

  void Finish(Reply* reply) {
    curl_easy_getinfo(curl_.get(), CURLINFO_RESPONSE_CODE, &reply->status);
    curl_easy_getinfo(curl_.get(), CURLINFO_HTTP_VERSION, &reply->http_version);
  }

  CURL* handle() { return curl_.get(); }

 private:
  struct SlistFree {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
  };
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl_;
  std::unique_ptr<curl_slist, SlistFree> headers_;
  std::string ca_file_;
  long version_;
  std::string body_;
};

std::string FormEscape(const std::string& value) {
  std::unique_ptr<char, decltype(&curl_free)> escaped(
      curl_easy_escape(nullptr, value.data(), static_cast<int>(value.size())), curl_free);
  return escaped.get();
}

class PushFakesTest : public ::testing::Test {
 protected:
  PushFakesTest() : dir_(MakeDir()), fakes_(dir_) {}
  ~PushFakesTest() override {
    if (::testing::Test::HasFailure()) std::cerr << "[push fakes] log:\n" << fakes_.Log();
    std::error_code ignored;
    if (!std::getenv("CHAT_KEEP_TEST_DIR")) std::filesystem::remove_all(dir_, ignored);
  }

  static std::string MakeDir() {
    char dir_template[] = "/tmp/chat-push-fakes-XXXXXX";
    if (!::mkdtemp(dir_template)) throw std::runtime_error("mkdtemp failed");
    return dir_template;
  }

  std::string ProviderToken(int64_t iat) const {
    return SignJwt(JWT_ALG_ES256, fakes_.apns_key_pem(), {{"kid", fakes_.apns_key_id()}},
                   {{"iss", fakes_.apns_team_id()}}, {{"iat", iat}});
  }

  std::vector<std::string> AlertHeaders(const std::string& provider_token) const {
    return {"authorization: bearer " + provider_token, "apns-topic: chat.example.app",
            "apns-push-type: alert", "apns-priority: 10"};
  }

  Reply PushApns(Http& http, const std::vector<std::string>& headers,
                 const std::string& payload = kAlert, const std::string& device = kDevice) {
    return http.Post(fakes_.apns_url() + "/3/device/" + device, headers, payload);
  }

  // The access token the fake FCM's /token gives for a valid assertion.
  std::string AccessToken(Http& http) {
    json account = fakes_.service_account();
    int64_t now = Now();
    std::string assertion =
        SignJwt(JWT_ALG_RS256, account.at("private_key"), {{"kid", account.at("private_key_id")}},
                {{"iss", account.at("client_email")},
                 {"scope", "https://www.googleapis.com/auth/firebase.messaging"},
                 {"aud", account.at("token_uri")}},
                {{"iat", now}, {"exp", now + 3600}});
    Reply reply =
        http.Post(account.at("token_uri"), {"content-type: application/x-www-form-urlencoded"},
                  "grant_type=" + FormEscape("urn:ietf:params:oauth:grant-type:jwt-bearer") +
                      "&assertion=" + assertion);
    EXPECT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.Json().at("token_type"), "Bearer");
    return reply.Json().at("access_token");
  }

  Reply SendFcm(Http& http, const std::string& access_token, const json& message) {
    return http.Post(fakes_.fcm_url() + "/v1/projects/" + fakes_.fcm_project() + "/messages:send",
                     {"authorization: Bearer " + access_token, "content-type: application/json"},
                     json{{"message", message}}.dump());
  }

  std::string dir_;
  PushFakes fakes_;
};

TEST_F(PushFakesTest, ApnsValidPushIsAcceptedAndEchoesApnsId) {
  Http http(fakes_.ca_file());
  const std::string apns_id = "4F1DA4F5-3A6C-4C5B-9D7E-2B1F0E9C8A71";
  // ES256 signatures are randomised: re-signing gives a new token, which APNs
  // would count as a token update. The token is signed once and reused.
  const std::string token = ProviderToken(Now());
  auto headers = AlertHeaders(token);
  headers.push_back("apns-id: " + apns_id);
  Reply reply = PushApns(http, headers);
  EXPECT_EQ(reply.code, CURLE_OK);
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.http_version, CURL_HTTP_VERSION_2_0);
  EXPECT_EQ(reply.headers["apns-id"], apns_id);

  reply = PushApns(http, AlertHeaders(token));
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.headers["apns-id"].size(), 36u) << "a generated UUID";

  auto requests = fakes_.Requests("apns");
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["body"]["aps"]["alert"]["body"], "hi");
  EXPECT_EQ(requests[0]["headers"]["apns-topic"], "chat.example.app");
}

TEST_F(PushFakesTest, ApnsTokenWithBadSignatureIsInvalidProviderToken) {
  Http http(fakes_.ca_file());
  std::string token = ProviderToken(Now());
  char& c = token[token.size() - 10];  // inside the signature
  c = c == 'A' ? 'B' : 'A';
  Reply reply = PushApns(http, AlertHeaders(token));
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(reply.Json(), json({{"reason", "InvalidProviderToken"}}));
}

TEST_F(PushFakesTest, ApnsTokenOlderThanAnHourIsExpiredProviderToken) {
  Http http(fakes_.ca_file());
  Reply reply = PushApns(http, AlertHeaders(ProviderToken(Now() - 3700)));
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(reply.Json()["reason"], "ExpiredProviderToken");
}

TEST_F(PushFakesTest, ApnsNewTokenOnTheSameConnectionWithin20MinutesIsRefused) {
  Http http(fakes_.ca_file());
  EXPECT_EQ(PushApns(http, AlertHeaders(ProviderToken(Now()))).status, 200);
  Reply reply = PushApns(http, AlertHeaders(ProviderToken(Now() - 60)));
  EXPECT_EQ(reply.status, 429);
  EXPECT_EQ(reply.Json()["reason"], "TooManyProviderTokenUpdates");
  EXPECT_EQ(fakes_.Connections("apns"), 1);
}

TEST_F(PushFakesTest, ApnsPushWithoutTopicIsMissingTopic) {
  Http http(fakes_.ca_file());
  Reply reply =
      PushApns(http, {"authorization: bearer " + ProviderToken(Now()), "apns-push-type: alert"});
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.Json()["reason"], "MissingTopic");
}

TEST_F(PushFakesTest, ApnsBackgroundPushAtPriority10IsBadPriority) {
  Http http(fakes_.ca_file());
  std::string token = ProviderToken(Now());
  Reply reply = PushApns(http,
                         {"authorization: bearer " + token, "apns-topic: chat.example.app",
                          "apns-push-type: background", "apns-priority: 10"},
                         R"({"aps":{"content-available":1}})");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.Json()["reason"], "BadPriority");
}

TEST_F(PushFakesTest, ApnsPayloadOver4096BytesIsPayloadTooLarge) {
  Http http(fakes_.ca_file());
  std::string payload = R"({"aps":{"alert":")" + std::string(4100, 'x') + R"("}})";
  Reply reply = PushApns(http, AlertHeaders(ProviderToken(Now())), payload);
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(reply.Json()["reason"], "PayloadTooLarge");
}

TEST_F(PushFakesTest, ApnsMalformedDeviceTokenIsBadDeviceToken) {
  Http http(fakes_.ca_file());
  Reply reply = PushApns(http, AlertHeaders(ProviderToken(Now())), kAlert, "abc123");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.Json()["reason"], "BadDeviceToken");
}

TEST_F(PushFakesTest, ApnsGivesHttp11NoService) {
  Http http(fakes_.ca_file(), CURL_HTTP_VERSION_1_1);
  Reply reply = PushApns(http, AlertHeaders(ProviderToken(Now())));
  EXPECT_NE(reply.code, CURLE_OK);
  EXPECT_EQ(reply.status, 0);
  EXPECT_TRUE(fakes_.Requests("apns").empty());
}

TEST_F(PushFakesTest, ApnsScriptedUnregisteredComesBackThenPushesSucceed) {
  fakes_.Script("apns", kDevice, {{"status", 410}, {"reason", "Unregistered"}, {"times", 1}});
  Http http(fakes_.ca_file());
  std::string token = ProviderToken(Now());
  Reply reply = PushApns(http, AlertHeaders(token));
  EXPECT_EQ(reply.status, 410);
  EXPECT_EQ(reply.Json()["reason"], "Unregistered");
  EXPECT_GT(reply.Json()["timestamp"].get<int64_t>(), Now() * 1000 - 60000);
  EXPECT_EQ(PushApns(http, AlertHeaders(token)).status, 200);
}

TEST_F(PushFakesTest, TwentyParallelApnsPushesShareOneConnection) {
  // APNs offers one stream until a valid provider token has been seen on the
  // connection, so the first push goes alone; the next 20 are multiplexed.
  std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)> multi(curl_multi_init(),
                                                              curl_multi_cleanup);
  std::string token = ProviderToken(Now());
  constexpr int kPushes = 21;
  std::vector<std::unique_ptr<Http>> https;
  std::vector<Reply> replies(kPushes);
  auto run = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      https.push_back(std::make_unique<Http>(fakes_.ca_file()));
      https.back()->Prepare(fakes_.apns_url() + "/3/device/" + kDevice, AlertHeaders(token), kAlert,
                            &replies[i]);
      curl_multi_add_handle(multi.get(), https.back()->handle());
    }
    int running = 1;
    while (running > 0) {
      ASSERT_EQ(curl_multi_perform(multi.get(), &running), CURLM_OK);
      if (running > 0) curl_multi_poll(multi.get(), nullptr, 0, 1000, nullptr);
    }
    for (int i = from; i < to; ++i) {
      https[i]->Finish(&replies[i]);
      curl_multi_remove_handle(multi.get(), https[i]->handle());
    }
  };
  run(0, 1);
  run(1, kPushes);
  for (const Reply& reply : replies) EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(fakes_.Requests("apns").size(), static_cast<size_t>(kPushes));
  EXPECT_EQ(fakes_.Connections("apns"), 1);
  EXPECT_EQ(fakes_.Requests("conn").size(), 1u) << "TLS connections opened";
}

TEST_F(PushFakesTest, FcmTokenExchangeThenSendSucceeds) {
  Http http(fakes_.ca_file());
  std::string access_token = AccessToken(http);
  Reply reply = SendFcm(http, access_token,
                        {{"token", kFcmToken},
                         {"data", {{"conv", "c1"}, {"seq", "7"}}},
                         {"android", {{"priority", "HIGH"}, {"ttl", "3600s"}}}});
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json()["name"].get<std::string>().rfind(
                "projects/" + fakes_.fcm_project() + "/messages/", 0),
            0u)
      << reply.body;
  ASSERT_EQ(fakes_.Requests("fcm_token").size(), 1u);
  ASSERT_EQ(fakes_.Requests("fcm").size(), 1u);
  EXPECT_EQ(fakes_.Requests("fcm")[0]["body"]["message"]["data"]["conv"], "c1");
}

TEST_F(PushFakesTest, FcmTokenExchangeWithWrongAudienceIsInvalidGrant) {
  Http http(fakes_.ca_file());
  json account = fakes_.service_account();
  int64_t now = Now();
  std::string assertion = SignJwt(JWT_ALG_RS256, account.at("private_key"), {},
                                  {{"iss", account.at("client_email")},
                                   {"scope", "https://www.googleapis.com/auth/firebase.messaging"},
                                   {"aud", "https://oauth2.googleapis.com/token"}},
                                  {{"iat", now}, {"exp", now + 3600}});
  Reply reply = http.Post(
      account.at("token_uri"), {"content-type: application/x-www-form-urlencoded"},
      "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + assertion);
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.Json()["error"], "invalid_grant");
}

TEST_F(PushFakesTest, FcmSendWithExpiredAccessTokenIsUnauthenticated) {
  fakes_.SetControl("fcm_expires_in", 1);
  Http http(fakes_.ca_file());
  std::string access_token = AccessToken(http);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  Reply reply = SendFcm(http, access_token, {{"token", kFcmToken}});
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.Json()["error"]["status"], "UNAUTHENTICATED");
}

TEST_F(PushFakesTest, FcmDataValueThatIsNotAStringIsInvalidArgument) {
  Http http(fakes_.ca_file());
  Reply reply = SendFcm(http, AccessToken(http), {{"token", kFcmToken}, {"data", {{"seq", 7}}}});
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.Json()["error"]["status"], "INVALID_ARGUMENT");
  EXPECT_EQ(reply.Json()["error"]["details"][0]["@type"],
            "type.googleapis.com/google.rpc.BadRequest");
}

TEST_F(PushFakesTest, FcmScriptedUnregisteredComesBack) {
  fakes_.Script("fcm", kFcmToken, {{"status", 404}, {"error_code", "UNREGISTERED"}});
  Http http(fakes_.ca_file(), CURL_HTTP_VERSION_1_1);  // FCM serves HTTP/1.1 too
  Reply reply = SendFcm(http, AccessToken(http), {{"token", kFcmToken}});
  EXPECT_EQ(reply.http_version, CURL_HTTP_VERSION_1_1);
  EXPECT_EQ(reply.status, 404);
  json error = reply.Json()["error"];
  EXPECT_EQ(error["status"], "NOT_FOUND");
  EXPECT_EQ(error["details"][0]["@type"], "type.googleapis.com/google.firebase.fcm.v1.FcmError");
  EXPECT_EQ(error["details"][0]["errorCode"], "UNREGISTERED");
}

TEST_F(PushFakesTest, FcmScriptedDropClosesTheConnectionUnanswered) {
  fakes_.Script("fcm", kFcmToken, {{"drop", true}, {"times", 1}});
  Http http(fakes_.ca_file());
  std::string access_token = AccessToken(http);
  EXPECT_NE(SendFcm(http, access_token, {{"token", kFcmToken}}).code, CURLE_OK);
  EXPECT_EQ(SendFcm(http, access_token, {{"token", kFcmToken}}).status, 200);
}

}  // namespace
}  // namespace chat::testing
