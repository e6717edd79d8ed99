// Push end to end: devices register over MQTT, chatd writes push jobs with
// the messages, the real pushd sends them over HTTP/2 + TLS to the local
// FCM and APNs fakes (tests/fakes/push_fakes.py), which check what the real
// providers check and can be told to refuse.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "chat/clock.h"
#include "chat/database.h"
#include "harness/push_fakes.h"
#include "harness/pushd_process.h"
#include "harness/test_device.h"
#include "harness/test_stack.h"
#include "harness/text_files.h"
#include "store/account_store.h"
#include "store/push_store.h"

namespace chat::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr char kApp[] = "com.example.chat";

// An APNs device token: 64 hex digits, distinct per `n`.
std::string ApnsToken(int n) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", n);
  return std::string(56, 'a') + hex;
}

json Apns(const std::string& token) {
  return {{"type", "push.register"}, {"platform", "apns"}, {"app", kApp}, {"token", token}};
}
json Fcm(const std::string& token) {
  return {{"type", "push.register"}, {"platform", "fcm"}, {"app", kApp}, {"token", token}};
}

// Every test of this suite runs on a SQLite file and on PostgreSQL: chatd
// writes the jobs, pushd takes them.
class PushTest : public ::testing::TestWithParam<Database::Engine> {
 protected:
  PushTest() : fakes_(stack_.dir()) {}

  void StartPushd(PushdOptions options = {}) {
    pushd_ = std::make_unique<PushdProcess>(stack_.dir(), stack_.db_path(), fakes_, options);
  }

  // The device registers over MQTT, then goes away (an app in the background).
  void RegisterAndLeave(const std::string& user, const std::string& device, json registration) {
    {
      TestDevice d(stack_, user, device);
      json reply = d.Request(std::move(registration), "r1");
      ASSERT_EQ(reply["registered"], true) << reply.dump();
    }
    std::this_thread::sleep_for(300ms);  // its departure reaches chatd
  }

  // The requests the fake saw for `token` on `provider`.
  std::vector<json> RequestsFor(const std::string& provider, const std::string& token) {
    std::vector<json> mine;
    for (json& r : fakes_.Requests(provider)) {
      bool match = provider == "apns" ? r["path"].get<std::string>().ends_with(token)
                                      : r["body"]["message"].value("token", "") == token;
      if (match) mine.push_back(std::move(r));
    }
    return mine;
  }

  // Waits until no push job is left (pushd answered everything), at most `timeout`.
  bool QueueDrains(std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (stack_.CountRows("push_jobs") > 0) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(50ms);
    }
    return true;
  }

  // `count` users "{prefix}{i}" whose one device "phone" has a push token of
  // `platform` (written to the database: these devices never connect).
  std::vector<std::string> ProvisionWithTokens(const std::string& prefix, int count,
                                               const std::string& platform) {
    std::vector<std::string> users;
    Database db = stack_.OpenDatabase();
    AccountStore accounts(db);
    PushStore tokens(db);
    Transaction txn(db);
    for (int i = 0; i < count; ++i) {
      std::string user = prefix + std::to_string(i);
      accounts.AddUser(user, user);
      accounts.AddDevice(user, "phone", platform);
      std::string token = platform == "apns" ? ApnsToken(i) : "fcm-" + user;
      tokens.Register({user, "phone", platform, kApp, false, token}, 1);
      users.push_back(user);
    }
    txn.Commit();
    return users;
  }

  TestStack stack_{{.engine = GetParam()}};
  PushFakes fakes_;
  std::unique_ptr<PushdProcess> pushd_;
};
INSTANTIATE_ON_BROKER_ENGINES(PushTest);

TEST_P(PushTest, AMessageToAnOfflineDeviceGivesExactlyOneAlertWithTheServersBadge) {
  StartPushd();
  RegisterAndLeave("bob", "phone", Apns(ApnsToken(1)));
  TestDevice alice(stack_, "alice", "phone");
  json accepted = alice.Request(SendTo("bob", "m1", "hello bob"), "s1");
  ASSERT_EQ(accepted["type"], "accepted") << accepted.dump();
  ASSERT_TRUE(fakes_.WaitForRequests("apns", 1, 10s)) << pushd_->Log();
  std::this_thread::sleep_for(1s);  // nothing more comes
  auto requests = RequestsFor("apns", ApnsToken(1));
  ASSERT_EQ(requests.size(), 1u);
  const json& r = requests[0];
  EXPECT_EQ(r["status"], 200) << r.dump();
  EXPECT_EQ(r["headers"]["apns-topic"], kApp);
  EXPECT_EQ(r["headers"]["apns-push-type"], "alert");
  EXPECT_EQ(r["headers"]["apns-priority"], "10");
  EXPECT_EQ(r["headers"]["apns-collapse-id"], accepted["conv"]);
  EXPECT_EQ(r["body"]["aps"]["alert"]["title"], "alice");
  EXPECT_EQ(r["body"]["aps"]["alert"]["body"], "hello bob");
  EXPECT_EQ(r["body"]["aps"]["badge"], 1);
  EXPECT_TRUE(QueueDrains());
}

TEST_P(PushTest, AConnectedDeviceGetsNoPush) {
  StartPushd();
  TestDevice bob(stack_, "bob", "phone");
  ASSERT_EQ(bob.Request(Fcm("fcm-bob-phone"), "r1")["registered"], true);
  TestDevice alice(stack_, "alice", "phone");
  alice.Send(SendTo("bob", "m1", "you are here"));
  ASSERT_EQ(bob.Await("msg", 1).size(), 1u);
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(fakes_.Requests("fcm").size(), 0u);
  EXPECT_EQ(stack_.CountRows("push_jobs"), 0);
}

TEST_P(PushTest, FiftyMessagesInOneSecondGiveTwoRequestsTheLastWithTheCount) {
  StartPushd({.alert_window_ms = 2000});
  RegisterAndLeave("bob", "phone", Fcm("fcm-bob-phone"));
  TestDevice alice(stack_, "alice", "phone");
  auto started = std::chrono::steady_clock::now();
  // In two halves, 300 ms apart: pushd reads the jobs once per 100 ms poll,
  // and a burst that is whole by its first read rightly becomes one push.
  for (int i = 0; i < 50; ++i) {
    if (i == 25) {
      ASSERT_EQ(alice.Await("accepted", 25).size(), 25u);
      std::this_thread::sleep_for(300ms);
    }
    alice.Send(SendTo("bob", "m" + std::to_string(i), "burst"));
  }
  ASSERT_EQ(alice.Await("accepted", 50).size(), 50u);
  auto burst_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
  ASSERT_TRUE(fakes_.WaitForRequests("fcm", 2, 10s)) << pushd_->Log();
  std::this_thread::sleep_for(2500ms);  // a third would come by now
  auto requests = RequestsFor("fcm", "fcm-bob-phone");
  // One alert at once and one trailing push per window the burst spans:
  // two for a burst within the 2 s window (a busy machine may stretch it).
  std::size_t allowed = 1 + static_cast<std::size_t>((burst_ms + 1999) / 2000);
  EXPECT_LE(requests.size(), std::max<std::size_t>(allowed, 2))
      << "burst took " << burst_ms << " ms";
  if (burst_ms < 1500) {
    EXPECT_EQ(requests.size(), 2u);
  }
  ASSERT_GE(requests.size(), 2u);
  const json& last = requests.back()["body"]["message"];
  EXPECT_EQ(last["data"]["count"], "50") << last.dump();
  EXPECT_EQ(last["notification"]["body"], "50 new messages");
  EXPECT_GE(requests[1]["t_ms"].get<int64_t>() - requests[0]["t_ms"].get<int64_t>(), 1500);
  // The count is the unread messages of the conversation, whatever the split.
}

TEST_P(PushTest, AMutedConversationGivesNoPush) {
  StartPushd();
  TestDevice alice(stack_, "alice", "phone");
  std::string conv;
  {
    TestDevice bob(stack_, "bob", "phone");
    ASSERT_EQ(bob.Request(Fcm("fcm-bob-phone"), "r1")["registered"], true);
    conv = alice.Request(SendTo("bob", "m1", "first"), "s1")["conv"];
    ASSERT_EQ(bob.Request({{"type", "mute"}, {"conv", conv}}, "u1")["type"], "mute");
  }
  std::this_thread::sleep_for(300ms);
  alice.Send(SendIn(conv, "m2", "muted"));
  ASSERT_EQ(alice.Await("accepted", 2).size(), 2u);
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(fakes_.Requests("fcm").size(), 0u);
  EXPECT_EQ(stack_.CountRows("push_jobs"), 0);
}

TEST_P(PushTest, ADeadTokenIsDeletedAndTheOthersAreKept) {
  StartPushd();
  RegisterAndLeave("bob", "phone", Apns(ApnsToken(1)));
  RegisterAndLeave("carol", "phone", Apns(ApnsToken(2)));
  RegisterAndLeave("dave", "phone", Fcm("fcm-dave-phone"));
  fakes_.Script("apns", ApnsToken(2), {{"status", 410}, {"reason", "Unregistered"}});
  fakes_.Script("fcm", "fcm-dave-phone", {{"status", 400}, {"error_code", "INVALID_ARGUMENT"}});
  TestDevice alice(stack_, "alice", "phone");
  for (const char* to : {"bob", "carol", "dave"})
    alice.Send(SendTo(to, std::string("m-") + to, "hi"));
  ASSERT_EQ(alice.Await("accepted", 3).size(), 3u);
  ASSERT_TRUE(QueueDrains()) << pushd_->Log();
  Database db = stack_.OpenDatabase();
  PushStore tokens(db);
  EXPECT_TRUE(tokens.RegistrationOf("bob", "phone"));     // delivered
  EXPECT_FALSE(tokens.RegistrationOf("carol", "phone"));  // 410 Unregistered: gone
  EXPECT_TRUE(tokens.RegistrationOf("dave", "phone"));    // a 400: logged, kept
  EXPECT_NE(pushd_->Log().find("push token of carol/phone deleted"), std::string::npos);
}

TEST_P(PushTest, RetriesFollowRetryAfterThenSucceed) {
  StartPushd();
  RegisterAndLeave("bob", "phone", Fcm("fcm-bob-phone"));
  fakes_.Script("fcm", "fcm-bob-phone",
                {{"status", 503}, {"error_code", "UNAVAILABLE"}, {"retry_after", 1}, {"times", 2}});
  TestDevice alice(stack_, "alice", "phone");
  alice.Send(SendTo("bob", "m1", "again"));
  ASSERT_TRUE(fakes_.WaitForRequests("fcm", 3, 15s)) << pushd_->Log();
  ASSERT_TRUE(QueueDrains());
  auto requests = RequestsFor("fcm", "fcm-bob-phone");
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0]["status"], 503);
  EXPECT_EQ(requests[1]["status"], 503);
  EXPECT_EQ(requests[2]["status"], 200);
  for (int i = 1; i < 3; ++i) {  // Retry-After: 1 s at least
    EXPECT_GE(requests[i]["t_ms"].get<int64_t>() - requests[i - 1]["t_ms"].get<int64_t>(), 950);
  }
}

TEST_P(PushTest, AReadOnOneDeviceClearsTheOtherDevicesNotification) {
  StartPushd();
  RegisterAndLeave("bob", "phone", Apns(ApnsToken(1)));
  TestDevice alice(stack_, "alice", "phone");
  std::string conv = alice.Request(SendTo("bob", "m1", "read me"), "s1")["conv"];
  ASSERT_TRUE(fakes_.WaitForRequests("apns", 1, 10s));
  TestDevice laptop(stack_, "bob", "laptop");
  laptop.Send({{"type", "read"}, {"conv", conv}, {"seq", 1}});
  ASSERT_TRUE(fakes_.WaitForRequests("apns", 2, 5s)) << pushd_->Log();
  json clear = RequestsFor("apns", ApnsToken(1)).at(1);
  EXPECT_EQ(clear["status"], 200) << clear.dump();
  EXPECT_EQ(clear["headers"]["apns-push-type"], "background");
  EXPECT_EQ(clear["headers"]["apns-priority"], "5");
  EXPECT_EQ(clear["body"]["aps"], json({{"content-available", 1}}));
  EXPECT_EQ(clear["body"]["kind"], "clear");
  EXPECT_EQ(clear["body"]["badge"], 0);  // the app sets it
}

// 500 pushes, one per device, leave over one HTTP/2 connection.
TEST_P(PushTest, FiveHundredPushesTravelOverAtMostTwoConnections) {
  constexpr int kMembers = 500;
  std::vector<std::string> members = ProvisionWithTokens("m", kMembers, "apns");
  StartPushd();
  TestDevice alice(stack_, "alice", "phone");
  json group = alice.Request(
      {{"type", "group.create"}, {"title", "Everyone"}, {"members", members}}, "g1", 20s);
  ASSERT_EQ(group["type"], "conv") << group.dump().substr(0, 300);
  ASSERT_EQ(alice.Request(SendIn(group["conv"], "m1", "hello all"), "s1")["type"], "accepted");
  ASSERT_TRUE(QueueDrains(30s)) << stack_.CountRows("push_jobs") << " jobs left";
  auto requests = fakes_.Requests("apns");
  std::set<std::string> paths;
  for (const json& r : requests) {
    if (r["status"] == 200) paths.insert(r["path"]);
  }
  EXPECT_EQ(paths.size(), std::size_t{kMembers});
  EXPECT_LE(fakes_.Connections("apns"), 2);
}

// A kill -9 of pushd while pushes are in flight: after the restart every
// device still gets its push; only pushes that were in flight may go twice.
TEST_P(PushTest, AKillOfPushdLosesNoPush) {
  constexpr int kDevices = 30;
  std::vector<std::string> members = ProvisionWithTokens("k", kDevices, "fcm");
  TestDevice alice(stack_, "alice", "phone");
  json group =
      alice.Request({{"type", "group.create"}, {"title", "Kill"}, {"members", members}}, "g1");
  ASSERT_EQ(group["type"], "conv");
  StartPushd();
  alice.Send(SendIn(group["conv"], "m1", "survive"));
  ASSERT_TRUE(fakes_.WaitForRequests("fcm", 1, 10s)) << pushd_->Log();
  pushd_->Stop(SIGKILL);
  int64_t restart_ms = NowMillis();
  pushd_->Start();
  ASSERT_TRUE(QueueDrains(20s)) << pushd_->Log();
  std::map<std::string, int> per_token;
  for (const json& r : fakes_.Requests("fcm")) {
    if (r["status"] == 200) ++per_token[r["body"]["message"]["token"]];
  }
  EXPECT_EQ(per_token.size(), std::size_t{kDevices});
  int twice = 0;
  for (const auto& [token, n] : per_token) twice += n > 1 ? 1 : 0;
  // What the first pushd sent: the requests on the connections it opened
  // (some reach the fake's log only after the kill).
  std::set<std::string> first_connections;
  for (const json& c : fakes_.Requests("conn")) {
    if (c["t_ms"].get<int64_t>() < restart_ms) first_connections.insert(c["conn"]);
  }
  int before_restart = 0;
  for (const json& r : fakes_.Requests("fcm")) {
    if (first_connections.contains(r["conn"])) ++before_restart;
  }
  // Only pushes the first pushd sent but had not yet marked done go twice.
  EXPECT_LE(twice, before_restart);
}

TEST(PushdConfigTest, AnUnreadableSecretStopsPushdNamingTheKeyAndTheFile) {
  std::string dir = ::testing::TempDir() + "/pushd_config_test";
  std::filesystem::create_directories(dir);
  WriteFile(dir + "/pushd.conf", "db_path = chat.db\nfcm_service_account = missing-account.json\n");
  support::ChildProcess::Spec spec;
  spec.path = CHAT_PUSHD_PATH;
  spec.args = {"--config", dir + "/pushd.conf", "--check-config"};
  spec.log_path = dir + "/pushd.log";
  support::ChildProcess pushd(spec);
  for (int i = 0; i < 200 && pushd.Running(); ++i) std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(pushd.Running());
  std::string log = ReadFile(dir + "/pushd.log");
  EXPECT_NE(log.find("key 'fcm_service_account'"), std::string::npos) << log;
  EXPECT_NE(log.find("missing-account.json"), std::string::npos) << log;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace chat::testing
