// Commands while chatd is away (docs/PROTOCOL.md section 4): the plugin
// refuses a device's command while no chatd holds its subscription to
// chat/up/+/+, tells the device `unavailable`, and tells it `ready` once chatd
// has subscribed again, so that it resends at once instead of after its
// accept timeout (the broker would otherwise acknowledge and drop it).
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "harness/test_device.h"

namespace chat::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kBackWithin = 3s;  // chatd starts in well under a second

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
  EXPECT_EQ(accepted[0]["dup"], false);
}

TEST(ChatdAway, ReadyIsSentOnlyToTheDevicesThatWereRefused) {
  TestStack stack;
  TestDevice alice(stack, "alice", "phone");
  TestDevice bob(stack, "bob", "phone");
  stack.StopChatd();
  alice.Send(SendTo("bob", "m-1", "while away"));
  ASSERT_EQ(alice.Await("error", 1).size(), 1u);
  stack.StartChatd();
  ASSERT_EQ(alice.Await("ready", 1, kBackWithin).size(), 1u);
  EXPECT_TRUE(bob.Await("ready", 1, 300ms).empty());
}

}  // namespace
}  // namespace chat::testing
