// The client library on a bad network (a TCP relay between it and the real
// broker that cuts connections): recovery follows the reconnect backoff.
#include <gtest/gtest.h>

#include <chrono>

#include "client_reliability_support.h"
#include "harness/tcp_relay.h"
#include "harness/test_stack.h"

namespace chat::testing {
namespace {

TEST(ClientRecovery, AConnectionLostBeforeItsSubackIsRetriedAfterTheBackoffNotTheTimeout) {
  TestStack stack;
  TcpRelay relay(stack.port());
  ClientOptions options = OptionsFor(stack, "alice", "phone");
  options.port = relay.port();
  options.connect_timeout = 10s;  // the default: a SUBACK wait used to last this long
  options.reconnect = {200ms, 400ms};
  auto alice = Connected(options);
  auto bob = Connected(OptionsFor(stack, "bob", "phone"));
  AppView app(*alice);

  constexpr int kCuts = 2;  // the next two connections die at their SUBSCRIBE
  relay.CutOnClientPacket(kMqttSubscribe, kCuts);
  relay.CutAll();
  // Each attempt also waits for Paho C 1.3 to notice its TCP connect (up to
  // about 2 s); a SUBACK wait to the end would take 10 s per cut.
  ASSERT_TRUE(app.UntilType("connection.restored", 12s));
  std::vector<TcpRelay::TimePoint> cuts = relay.cut_on_packet_at();
  std::vector<TcpRelay::TimePoint> accepts = relay.accepted_at();
  ASSERT_EQ(cuts.size(), static_cast<std::size_t>(kCuts));
  ASSERT_EQ(accepts.size(), 1u + kCuts + 1);  // the first, the cut ones, the good one
  for (int i = 0; i < kCuts; ++i) {
    // The next attempt follows the backoff (at most 400 ms), not the connect timeout.
    EXPECT_LT(accepts[i + 2] - cuts[i], 1500ms) << "after cut " << i;
  }

  ASSERT_TRUE(alice->Send(To("bob", "after-cuts", "still here")).status.ok());
  auto accepted = alice->WaitForAcceptance("after-cuts", 3s);
  ASSERT_TRUE(accepted && accepted->Is("accepted"));
  ASSERT_TRUE(bob->Send({.conv = accepted->conv, .body = "welcome back"}).status.ok());
  EXPECT_TRUE(app.Until(
      [&] {
        for (const Event& e : app.Messages(accepted->conv)) {
          if (e.Is("msg") && e.body == "welcome back") return true;
        }
        return false;
      },
      3s));
  EXPECT_GT(relay.bytes_down(), 0u);
}

}  // namespace
}  // namespace chat::testing
