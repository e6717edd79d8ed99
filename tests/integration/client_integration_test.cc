// The client library and chat-cli against the real stack: what an app and a
// shell script see.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "chat/client/chat_client.h"
#include "chat/tcp_no_delay.h"
#include "client_reliability_support.h"
#include "harness/test_stack.h"

namespace chat::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using client::ChatClient;
using client::ClientOptions;

std::unique_ptr<ChatClient> Connected(TestStack& stack, const std::string& user,
                                      const std::string& device) {
  ClientOptions options;
  options.port = stack.port();
  options.user = user;
  options.device = device;
  options.token = stack.Provision(user, device);
  auto c = std::make_unique<ChatClient>(options);
  auto result = c->Connect(5s);
  EXPECT_TRUE(result.status.ok()) << result.status.message();
  return c;
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

}  // namespace
}  // namespace chat::testing
