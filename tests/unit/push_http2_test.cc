// The HTTP/2 client and both providers against a loopback HTTP/2 TLS server
// (push_h2_fake.py on Debian's python3 with hypercorn): many requests share
// one connection, the stream ceiling holds, the providers' requests and
// verdicts. Skipped when that python lacks hypercorn.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "apns_provider.h"
#include "chat/support/child_process.h"
#include "chat/support/loopback.h"
#include "fcm_provider.h"
#include "http2_client.h"
#include "push_test_keys.h"

namespace chat::push {
namespace {

using Json = nlohmann::json;
using testing::TempDir;

constexpr const char* kPython = "/usr/bin/python3";
constexpr int64_t kNow = 1'800'000'000;

// The fake server, started once for all tests of this file.
class H2Fake {
 public:
  H2Fake() : port_(support::FreeLoopbackPort()) {
    support::ChildProcess::Spec spec;
    spec.path = kPython;
    spec.args = {PUSH_H2_FAKE_PATH, std::to_string(port_), dir_.path()};
    spec.log_path = dir_.path() + "/fake.log";
    process_ = std::make_unique<support::ChildProcess>(spec);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!support::PortAcceptsConnections(port_)) {
      if (std::chrono::steady_clock::now() > deadline || !process_->Running()) {
        throw std::runtime_error("push_h2_fake.py did not start: see " + spec.log_path);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~H2Fake() { process_->Stop(SIGKILL); }

  std::string origin() const { return "https://127.0.0.1:" + std::to_string(port_); }
  Http2Options options() const {
    Http2Options options;
    options.ca_file = dir_.path() + "/cert.pem";
    options.request_timeout_ms = 5000;
    return options;
  }
  Json Stats() const { return Json::parse(Call("GET", "/stats").body); }
  void Reset() const { Call("POST", "/reset"); }

 private:
  HttpResponse Call(const std::string& method, const std::string& path) const {
    HttpRequest request;
    request.method = method;
    request.url = origin() + path;
    return PerformBlocking(request, options());
  }

  TempDir dir_;
  int port_;
  std::unique_ptr<support::ChildProcess> process_;
};

H2Fake* fake = nullptr;

class Http2Loopback : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string check = std::string(kPython) + " -c 'import hypercorn, h2' 2>/dev/null";
    if (std::system(check.c_str()) == 0) fake = new H2Fake();
  }
  static void TearDownTestSuite() {
    delete fake;
    fake = nullptr;
  }
  void SetUp() override {
    if (!fake) GTEST_SKIP() << kPython << " has no hypercorn (apt install python3-hypercorn)";
    fake->Reset();
  }

  // Polls until nothing is in flight; fails after 10 s.
  template <typename Pollable>
  void DriveUntilIdle(Pollable& pollable) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (pollable.Poll(100) > 0) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "requests still in flight";
    }
  }

  HttpRequest Echo(int delay_ms) const {
    HttpRequest request;
    request.url = fake->origin() + "/echo";
    request.headers = {"x-delay-ms: " + std::to_string(delay_ms)};
    request.body = "{}";
    return request;
  }
};

TEST_F(Http2Loopback, ParallelRequestsAreStreamsOfOneConnection) {
  Http2Client client(fake->options());
  std::vector<int> statuses;
  for (int i = 0; i < 20; ++i) {
    client.Submit(Echo(200), [&](const HttpResponse& r) { statuses.push_back(r.status); });
  }
  EXPECT_EQ(client.InFlight(), 20);
  DriveUntilIdle(client);
  EXPECT_EQ(statuses, std::vector<int>(20, 200));
  EXPECT_EQ(client.ConnectionsOpened(), 1);
  Json stats = fake->Stats();
  EXPECT_EQ(stats["connections"], 1);
  EXPECT_GT(stats["max_active"].get<int>(), 1);  // multiplexed, not one after another
  for (const Json& request : stats["requests"]) EXPECT_EQ(request["http_version"], "2");
}

TEST_F(Http2Loopback, StreamCeilingLimitsConcurrentRequests) {
  Http2Options options = fake->options();
  options.max_concurrent_streams = 3;
  Http2Client client(options);
  int answered = 0;
  for (int i = 0; i < 12; ++i) client.Submit(Echo(100), [&](const HttpResponse&) { ++answered; });
  DriveUntilIdle(client);
  EXPECT_EQ(answered, 12);
  Json stats = fake->Stats();
  EXPECT_LE(stats["max_active"].get<int>(), 3);
  EXPECT_EQ(stats["connections"], 1);  // waited for a stream, no second connection
}

TEST_F(Http2Loopback, ConnectionIsKeptBetweenBatches) {
  Http2Client client(fake->options());
  for (int batch = 0; batch < 3; ++batch) {
    for (int i = 0; i < 5; ++i) client.Submit(Echo(0), [](const HttpResponse&) {});
    DriveUntilIdle(client);
  }
  EXPECT_EQ(client.ConnectionsOpened(), 1);
  EXPECT_EQ(fake->Stats()["connections"], 1);
}

TEST_F(Http2Loopback, AnswerCarriesStatusHeadersBodyAndLatency) {
  Http2Client client(fake->options());
  HttpRequest request = Echo(0);
  request.headers.push_back("x-status: 418");
  HttpResponse answer;
  client.Submit(request, [&](const HttpResponse& r) { answer = r; });
  DriveUntilIdle(client);
  EXPECT_EQ(answer.status, 418);
  EXPECT_EQ(answer.Header("content-type"), "application/json");
  EXPECT_EQ(Json::parse(answer.body)["path"], "/echo");
  EXPECT_GT(answer.latency_ms, 0);
  EXPECT_TRUE(answer.error.empty());
}

TEST_F(Http2Loopback, BlockingTokenExchangePostsTheForm) {
  HttpRequest request;
  request.url = fake->origin() + "/token";
  request.headers = {"content-type: application/x-www-form-urlencoded"};
  request.body = "grant_type=x&assertion=y";
  HttpResponse answer = BlockingTokenExchange(fake->options())(request);
  EXPECT_EQ(answer.status, 200);
  Json recorded = fake->Stats()["requests"][0];
  EXPECT_EQ(recorded["method"], "POST");
  EXPECT_EQ(recorded["body"], "grant_type=x&assertion=y");
  EXPECT_EQ(recorded["headers"]["content-type"], "application/x-www-form-urlencoded");
}

TEST_F(Http2Loopback, NoServerIsStatusZeroWithCurlsError) {
  Http2Options options = fake->options();
  Http2Client client(options);
  HttpRequest request;
  request.url = "https://127.0.0.1:" + std::to_string(support::FreeLoopbackPort()) + "/x";
  HttpResponse answer;
  answer.status = -1;
  client.Submit(request, [&](const HttpResponse& r) { answer = r; });
  DriveUntilIdle(client);
  EXPECT_EQ(answer.status, 0);
  EXPECT_FALSE(answer.error.empty());
}

TEST_F(Http2Loopback, ApnsProviderSendsTheHeadersAndOneConnectionPerEnvironment) {
  testing::KeyPair ec = testing::GenerateEcKey();
  ApnsOptions options;
  options.production_endpoint = fake->origin();
  options.sandbox_endpoint = fake->origin();
  options.http = fake->options();
  ApnsProvider provider(
      ApnsTokenSigner(ApnsKey{ec.private_pem, "ABC123DEFG", "TEAM123456"}, [] { return kNow; }),
      options);
  Notification n;
  n.id = "6f1c1e0e-9d35-4c55-9a43-3f1b2d1f7a10";
  n.app = "org.example.chat";
  n.token = "00fc13adff785122b4ad28809a3420982341241421348097878e577c991de8f0";
  n.conv = std::string(80, 'c');
  n.title = "Alice";
  n.body = "hi";
  n.badge = 3;
  n.expires_at_s = kNow + 3600;
  std::vector<SendResult> results;
  auto record = [&](const SendResult& r) { results.push_back(r); };
  provider.Submit(n, record);
  Notification silent = n;
  silent.kind = NotificationKind::kBadge;
  silent.sandbox = true;
  silent.token = "dead" + n.token.substr(4);
  provider.Submit(silent, record);
  Notification malformed = n;
  malformed.token = "not/hex";
  provider.Submit(malformed, record);
  EXPECT_TRUE(results.empty());  // callbacks run in Poll only
  DriveUntilIdle(provider);

  ASSERT_EQ(results.size(), 3u);
  std::sort(results.begin(), results.end(),
            [](const SendResult& a, const SendResult& b) { return a.verdict < b.verdict; });
  EXPECT_EQ(results[0].verdict, Verdict::kDelivered);
  EXPECT_EQ(results[1].verdict, Verdict::kDeleteToken);
  EXPECT_EQ(results[1].reason, "Unregistered");
  EXPECT_EQ(results[2].verdict, Verdict::kDrop);
  EXPECT_EQ(provider.ConnectionsOpened(), 2);  // production and sandbox

  Json requests = fake->Stats()["requests"];
  ASSERT_EQ(requests.size(), 2u);
  for (const Json& request : requests) {
    const Json& h = request["headers"];
    bool alert = request["path"] == "/3/device/" + n.token;
    EXPECT_EQ(request["method"], "POST");
    EXPECT_EQ(h["apns-topic"], "org.example.chat");
    EXPECT_EQ(h["apns-push-type"], "alert");  // a badge update is user-visible too
    EXPECT_EQ(h["apns-priority"], alert ? "10" : "5");
    EXPECT_EQ(h["apns-expiration"], std::to_string(kNow + 3600));
    EXPECT_EQ(h["apns-collapse-id"], std::string(64, 'c'));
    EXPECT_EQ(h["apns-id"], n.id);
    EXPECT_EQ(h["authorization"].get<std::string>().rfind("bearer ey", 0), 0u);
    Json body = Json::parse(request["body"].get<std::string>());
    EXPECT_EQ(body["aps"]["badge"], 3);
    EXPECT_EQ(body["aps"].contains("alert"), alert);
  }
}

class FcmLoopback : public Http2Loopback {
 protected:
  // A provider whose token exchange hands out `tokens` in turn.
  std::unique_ptr<FcmProvider> Provider(std::vector<std::string> tokens) {
    if (!rsa_) rsa_ = std::make_unique<testing::KeyPair>(testing::GenerateRsaKey());
    FcmOptions options;
    options.endpoint = fake->origin();
    options.http = fake->options();
    auto exchange = [tokens, next = size_t{0}](const HttpRequest&) mutable {
      HttpResponse answer;
      answer.status = 200;
      answer.body = Json{
          {"access_token", tokens[std::min(next++, tokens.size() - 1)]},
          {"expires_in",
           3599}}.dump();
      return answer;
    };
    FcmCredentials credentials(ServiceAccount{"chat-test", "pushd@example.org", rsa_->private_pem,
                                              "https://127.0.0.1:1/token"},
                               exchange, [] { return kNow; });
    return std::make_unique<FcmProvider>(std::move(credentials), options, [] { return kNow; });
  }

  Notification Alert(const std::string& token) const {
    Notification n;
    n.platform = Platform::kFcm;
    n.token = token;
    n.conv = "c_1";
    n.title = "Bob";
    n.body = "hello";
    return n;
  }

  std::unique_ptr<testing::KeyPair> rsa_;
};

TEST_F(FcmLoopback, PostsToTheProjectsSendUrlWithTheBearerToken) {
  auto provider = Provider({"fresh"});
  std::vector<SendResult> results;
  provider->Submit(Alert("t1"), [&](const SendResult& r) { results.push_back(r); });
  provider->Submit(Alert("gone"), [&](const SendResult& r) { results.push_back(r); });
  DriveUntilIdle(*provider);
  ASSERT_EQ(results.size(), 2u);
  std::sort(results.begin(), results.end(),
            [](const SendResult& a, const SendResult& b) { return a.verdict < b.verdict; });
  EXPECT_EQ(results[0].verdict, Verdict::kDelivered);
  EXPECT_EQ(results[1].verdict, Verdict::kDeleteToken);
  Json requests = fake->Stats()["requests"];
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["path"], "/v1/projects/chat-test/messages:send");
  EXPECT_EQ(requests[0]["headers"]["authorization"], "Bearer fresh");
  EXPECT_EQ(requests[0]["headers"]["content-type"], "application/json");
  EXPECT_EQ(provider->credentials().exchanges(), 1);
}

TEST_F(FcmLoopback, UnauthorizedIsRetriedOnceWithAFreshToken) {
  auto provider = Provider({"stale", "fresh"});
  std::vector<SendResult> results;
  provider->Submit(Alert("t1"), [&](const SendResult& r) { results.push_back(r); });
  DriveUntilIdle(*provider);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].verdict, Verdict::kDelivered);
  EXPECT_EQ(provider->credentials().exchanges(), 2);
  Json requests = fake->Stats()["requests"];
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1]["headers"]["authorization"], "Bearer fresh");
}

TEST_F(FcmLoopback, SecondUnauthorizedIsACredentialFault) {
  auto provider = Provider({"stale"});
  std::vector<SendResult> results;
  provider->Submit(Alert("t1"), [&](const SendResult& r) { results.push_back(r); });
  DriveUntilIdle(*provider);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].verdict, Verdict::kCredentialFault);
  EXPECT_EQ(results[0].http_status, 401);
  EXPECT_EQ(fake->Stats()["requests"].size(), 2u);
}

}  // namespace
}  // namespace chat::push
