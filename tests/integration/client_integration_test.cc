// The client library and chat-cli against the real stack: what an app and a
// shell script see.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "chat/client/chat_client.h"
#include "chat/database.h"
#include "chat/tcp_no_delay.h"
#include "client_reliability_support.h"
#include "harness/client_devices.h"
#include "harness/test_stack.h"
#include "store/push_store.h"

namespace chat::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using client::ChatClient;
using client::ClientOptions;

std::unique_ptr<ChatClient> Connected(TestStack& stack, const std::string& user,
                                      const std::string& device) {
  return ConnectedDevice(DeviceOptions(stack, user, device));
}

TEST(ClientIntegration, LibrarySendIsAcceptedAndDelivered) {
  TestStack stack;
  auto alice = Connected(stack, "alice", "phone");
  auto bob = Connected(stack, "bob", "phone");
  client::SendRequest request;
  request.to = "bob";
  request.body = "from the library";
  auto sent = alice->Send(request);
  ASSERT_TRUE(sent.status.ok()) << sent.status.message();
  auto accepted = alice->WaitForAcceptance(sent.cmid, 5s);
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->type, "accepted");
  EXPECT_EQ(accepted->seq, 1);
  std::optional<client::Event> delivered;
  for (int i = 0; i < 10 && !(delivered && delivered->Is("msg")); ++i)
    delivered = bob->NextEvent(1s);
  ASSERT_TRUE(delivered && delivered->Is("msg"));
  EXPECT_EQ(delivered->body, "from the library");
  EXPECT_EQ(delivered->from, "alice");
  EXPECT_EQ(delivered->conv, accepted->conv);
  EXPECT_EQ(accepted->body, "from the library");  // from the outbox: the wire leaves it out
}

TEST(ClientIntegration, LibraryTurnsNagleOffOnItsBrokerConnection) {
  // With Nagle on, a send written right after a PUBACK waits for the
  // broker's delayed ACK, up to 40 ms (chat/tcp_no_delay.h).
  TestStack stack;
  auto alice = Connected(stack, "alice", "phone");
  auto sockets = TcpSocketsToPort(static_cast<uint16_t>(stack.port()));
  ASSERT_TRUE(sockets);
  ASSERT_EQ(sockets->size(), 1u);  // the client's connection, in this process
  int nodelay = 0;
  socklen_t length = sizeof nodelay;
  ASSERT_EQ(getsockopt(sockets->front(), IPPROTO_TCP, TCP_NODELAY, &nodelay, &length), 0);
  EXPECT_EQ(nodelay, 1);
}

TEST(ClientIntegration, LibraryReportsRefusedConnection) {
  TestStack stack({.start_chatd = false});
  ClientOptions options;
  options.port = stack.port();
  options.user = "alice";
  options.device = "phone";
  options.token = "not-a-token";
  ChatClient c(options);
  auto result = c.Connect(5s);
  EXPECT_FALSE(result.status.ok());
}

TEST(ClientIntegration, CliSendPrintsAcceptedAndListenPrintsTheMessage) {
  TestStack stack;
  std::string alice_token = stack.dir() + "/alice.token";
  std::ofstream(alice_token) << stack.Provision("alice", "phone") << "\n";
  std::string bob_token = stack.Provision("bob", "phone");
  std::string base = std::string(CHAT_CLI_PATH) + " --port " + std::to_string(stack.port());
  std::string listen_out = stack.dir() + "/listen.out";
  // bob listens in the background (conv.new, then the msg) while alice sends.
  std::string listen = base + " --user bob --device phone --token " + bob_token +
                       " listen --count 2 --for-s 15 > " + listen_out + " 2>&1 &";
  ASSERT_EQ(std::system(listen.c_str()), 0);
  std::this_thread::sleep_for(1s);
  auto [out, rc] = Shell(base + " --user alice --device phone --token-file " + alice_token +
                         " send --to bob hello from the shell");
  ASSERT_EQ(rc, 0) << out;
  json accepted = json::parse(out, nullptr, false);
  ASSERT_TRUE(accepted.is_object()) << out;
  EXPECT_EQ(accepted["type"], "accepted");
  EXPECT_EQ(accepted["seq"], 1);
  std::string got;
  for (int i = 0; i < 50 && got.find("\"msg\"") == std::string::npos; ++i) {
    std::this_thread::sleep_for(200ms);
    std::ifstream in(listen_out);
    got.assign(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_NE(got.find("hello from the shell"), std::string::npos) << got;

  auto [error_out, error_rc] = Shell(base + " --user alice --device phone --token-file " +
                                     alice_token + " send --to nobody hi");
  EXPECT_EQ(error_rc, 2) << error_out;
  EXPECT_NE(error_out.find("unknown_user"), std::string::npos);
}

// The next event of `type` that `chat` yields within about 10 s.
std::optional<client::Event> NextOfType(ChatClient& chat, std::string_view type) {
  for (int i = 0; i < 10; ++i) {
    auto event = chat.NextEvent(1s);
    if (event && event->Is(type)) return event;
  }
  return std::nullopt;
}

TEST(ClientIntegration, LibraryBlocksMutesAndChangesSettingsOnEveryDevice) {
  TestStack stack;
  auto alice = Connected(stack, "alice", "phone");
  auto laptop = Connected(stack, "alice", "laptop");
  auto bob = Connected(stack, "bob", "phone");
  auto first = bob->Send({.to = "alice", .body = "hi"});
  auto accepted = bob->WaitForAcceptance(first.cmid, 5s);
  ASSERT_TRUE(accepted && accepted->Is("accepted"));

  auto blocked = alice->WaitForReply(alice->Block("bob").req_id, 5s);
  ASSERT_TRUE(blocked && blocked->Is("blocks")) << (blocked ? blocked->raw : "no reply");
  EXPECT_EQ(blocked->users, std::vector<std::string>{"bob"});
  auto refused = bob->Send({.to = "alice", .body = "hello?"});
  auto answer = bob->WaitForAcceptance(refused.cmid, 5s);
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->HasCode(protocol::ErrorCode::kBlocked)) << answer->raw;

  auto muted = alice->WaitForReply(alice->Mute(accepted->conv).req_id, 5s);
  ASSERT_TRUE(muted && muted->Is("mute")) << (muted ? muted->raw : "no reply");
  EXPECT_EQ(muted->muted_until, 0);
  auto set = alice->WaitForReply(alice->SetSettings({.read_receipts = false}).req_id, 5s);
  ASSERT_TRUE(set && set->Is("settings")) << (set ? set->raw : "no reply");
  auto seen = NextOfType(*laptop, "settings");
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->presence, "everyone");
  EXPECT_FALSE(seen->read_receipts);
  auto convs = laptop->Conversations();  // the mute reached it too, before the settings
  auto listed = std::find_if(convs.begin(), convs.end(),
                             [&](const auto& c) { return c.conv == accepted->conv; });
  ASSERT_NE(listed, convs.end());
  EXPECT_EQ(listed->muted_until, 0);
}

TEST(ClientIntegration, CliBlocksAndReadsSettings) {
  TestStack stack;
  stack.Provision("bob", "phone");
  std::string base = std::string(CHAT_CLI_PATH) + " --port " + std::to_string(stack.port()) +
                     " --user alice --device phone --token " + stack.Provision("alice", "phone");
  auto [blocks, rc] = Shell(base + " block --user bob");
  ASSERT_EQ(rc, 0) << blocks;
  EXPECT_EQ(json::parse(blocks, nullptr, false)["users"], json({"bob"})) << blocks;
  auto [settings, settings_rc] = Shell(base + " settings --presence nobody");
  ASSERT_EQ(settings_rc, 0) << settings;
  EXPECT_EQ(json::parse(settings, nullptr, false)["presence"], "nobody") << settings;
  auto [self, self_rc] = Shell(base + " block --user alice");
  EXPECT_EQ(self_rc, 2) << self;
  EXPECT_NE(self.find("invalid_recipient"), std::string::npos) << self;
}

// The presence of people from the shell: once, and followed while listening.
TEST(ClientIntegration, CliShowsPresenceOnceAndWhileListening) {
  TestStack stack;
  std::string base = std::string(CHAT_CLI_PATH) + " --port " + std::to_string(stack.port()) +
                     " --user alice --device phone --token " + stack.Provision("alice", "phone");
  stack.Provision("carol", "phone");
  auto bob = Connected(stack, "bob", "phone");
  auto hello = bob->Send({.to = "alice", .body = "hi"});
  ASSERT_TRUE(bob->WaitForAcceptance(hello.cmid, 5s));

  auto [now, rc] = Shell(base + " presence --users bob,carol");
  ASSERT_EQ(rc, 0) << now;
  EXPECT_EQ(json::parse(now, nullptr, false)["users"],
            json::parse(R"([{"user":"bob","state":"online"},{"user":"carol","state":"unknown"}])"))
      << now;

  auto listening =
      std::async(std::launch::async, [&] { return Shell(base + " listen --watch bob --for-s 4"); });
  std::this_thread::sleep_for(1500ms);
  bob->Disconnect();
  auto [lines, listen_rc] = listening.get();
  ASSERT_EQ(listen_rc, 0) << lines;
  std::vector<std::string> states;
  std::istringstream in(lines);
  for (std::string line; std::getline(in, line);) {
    json e = json::parse(line, nullptr, false);
    if (e.is_object() && e.value("type", "") == "presence")
      states.push_back(e["users"][0]["state"]);
  }
  EXPECT_EQ(states, (std::vector<std::string>{"online", "offline"})) << lines;
}

// A device's push token from the shell: register stores it for the device,
// unregister removes it, a malformed one is refused before it is sent.
TEST(ClientIntegration, CliRegistersAndUnregistersThePushToken) {
  TestStack stack;
  std::string base = std::string(CHAT_CLI_PATH) + " --port " + std::to_string(stack.port()) +
                     " --user alice --device phone --token " + stack.Provision("alice", "phone");
  std::string apns_token;
  for (int i = 0; i < 8; ++i) apns_token += "7f3a09c2";  // 64 hex digits

  auto [registered, rc] = Shell(base + " push register --platform apns --app com.example.chat" +
                                " --token " + apns_token + " --sandbox");
  ASSERT_EQ(rc, 0) << registered;
  json reply = json::parse(registered, nullptr, false);
  EXPECT_EQ(reply["type"], "push") << registered;
  EXPECT_EQ(reply["registered"], true) << registered;
  EXPECT_EQ(reply["platform"], "apns") << registered;
  EXPECT_EQ(reply["app"], "com.example.chat") << registered;
  EXPECT_EQ(reply["sandbox"], true) << registered;
  {
    Database db = stack.OpenDatabase(Database::Mode::kReadOnly);
    auto stored = PushStore(db).RegistrationOf("alice", "phone");
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->platform, "apns");
    EXPECT_EQ(stored->app, "com.example.chat");
    EXPECT_EQ(stored->token, apns_token);
    EXPECT_TRUE(stored->sandbox);
  }

  auto [bad, bad_rc] =
      Shell(base + " push register --platform apns --app com.example.chat --token not-hex");
  EXPECT_EQ(bad_rc, 1) << bad;
  EXPECT_EQ(stack.CountRows("push_tokens"), 1) << "the malformed token was never sent";

  auto [unregistered, unregister_rc] = Shell(base + " push unregister");
  ASSERT_EQ(unregister_rc, 0) << unregistered;
  EXPECT_EQ(json::parse(unregistered, nullptr, false)["registered"], false) << unregistered;
  EXPECT_EQ(stack.CountRows("push_tokens"), 0);
}

}  // namespace
}  // namespace chat::testing
