// Commands while chatd is away (docs/PROTOCOL.md section 4): the plugin
// refuses a device's command while no chatd holds its subscription to
// chat/up/+/+, tells the device `unavailable`, and tells it `ready` once chatd
// has subscribed again, so that it resends at once instead of after its
// accept timeout (the broker would otherwise acknowledge and drop it).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "client_reliability_support.h"
#include "harness/test_device.h"

namespace chat::testing {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// Well under the client's accept timeout (10 s, the default, below): only a
// resend on `ready` makes it.
constexpr auto kBackWithin = 3s;

// A client with the default accept timeout, so that a resend on timeout
// cannot pass for a resend on `ready`.
ClientOptions PatientOptions(TestStack& stack, const std::string& user) {
  ClientOptions options = OptionsFor(stack, user, "phone");
  options.accept_timeout = 10s;
  return options;
}

bool IsUnavailable(const Event& e) { return e.Is("error") && e.code == "unavailable"; }

TEST(ChatdAway, ACommandIsRefusedWithUnavailableAndTheDeviceToldReadyWhenChatdIsBack) {
  TestStack stack;
  stack.Provision("bob", "phone");
  TestDevice alice(stack, "alice", "phone");
  stack.StopChatd();

  alice.Send(SendTo("bob", "m-1", "while away"));
  auto errors = alice.Await("error", 1);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["code"], "unavailable");
  EXPECT_EQ(errors[0]["retry_after_ms"], 1000);
  EXPECT_FALSE(errors[0].contains("req_id"));
  EXPECT_TRUE(alice.Await("ready", 1, 300ms).empty()) << "ready while chatd is still away";

  stack.StartChatd();
  ASSERT_EQ(alice.Await("ready", 1, kBackWithin).size(), 1u) << stack.BrokerLog();
  EXPECT_TRUE(alice.Await("accepted", 1, 300ms).empty()) << "the refused command was queued";
  alice.Send(SendTo("bob", "m-1", "while away"));
  auto accepted = alice.Await("accepted", 1);
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0]["seq"], 1);
  EXPECT_FALSE(accepted[0].contains("dup"));  // a first acceptance
}

// Every connected user hears it once, on its inbox: a returning chatd has
// lost the presence watches it held for devices that sent nothing.
TEST(ChatdAway, ReadyGoesToEveryConnectedUserOnceWhenChatdIsBack) {
  TestStack stack;
  TestDevice alice(stack, "alice", "phone");
  TestDevice bob(stack, "bob", "phone");
  stack.StopChatd();
  alice.Send(SendTo("bob", "m-1", "while away"));
  ASSERT_EQ(alice.Await("error", 1).size(), 1u);
  stack.StartChatd();
  ASSERT_EQ(alice.Await("ready", 1, kBackWithin).size(), 1u);
  ASSERT_EQ(bob.Await("ready", 1, kBackWithin).size(), 1u);
  EXPECT_EQ(alice.Await("ready", 2, 300ms).size(), 1u) << "once";
}

// Sends to bob while chatd is away, waits for `unavailable`, starts chatd
// and expects the send accepted within kBackWithin of chatd's return.
void SendWhileAwayAndExpectAcceptanceWhenBack(TestStack& stack, ChatClient& alice, AppView& app,
                                              const std::string& body) {
  ASSERT_TRUE(alice.Send(To("bob", "m1", body)).status.ok());
  ASSERT_TRUE(app.Until([&] { return std::ranges::any_of(app.all(), IsUnavailable); }, 5s));
  stack.StartChatd();
  auto back = Clock::now();
  EXPECT_TRUE(app.Until([&] { return alice.PendingSends().empty(); }, kBackWithin))
      << "still pending "
      << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - back).count()
      << " ms after chatd was back";
}

TEST(ChatdAway, TheClientResendsAtOnceWhenChatdIsBack) {
  TestStack stack;
  stack.Provision("bob", "phone");
  auto alice = Connected(PatientOptions(stack, "alice"));
  AppView app(*alice);
  stack.StopChatd();

  SendWhileAwayAndExpectAcceptanceWhenBack(stack, *alice, app, "while away");
}

TEST(ChatdAway, TheClientResendsAtOnceWhenChatdIsBackAfterABrokerRestart) {
  // The broker keeps no sessions (persistence false), as in the demo and for
  // the first autosave interval in production: chatd's subscription is gone
  // until it reconnects, so devices that reconnect first would be dropped.
  TestStack stack;
  stack.Provision("bob", "phone");
  auto alice = Connected(PatientOptions(stack, "alice"));
  AppView app(*alice);
  stack.StopChatd(SIGKILL);
  stack.RestartBroker();
  ASSERT_TRUE(app.UntilType("connection.restored", 10s));

  SendWhileAwayAndExpectAcceptanceWhenBack(stack, *alice, app, "after the restart");
}

}  // namespace
}  // namespace chat::testing
