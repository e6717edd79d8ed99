// No loss, no duplicates, under faults (DESIGN.md section 3, invariants 2-5):
// several clients on the project's client library send into one group while
// chatd is SIGKILLed and restarted and the broker is restarted; afterwards
// every member device holds every accepted message exactly once, in seq
// order, without gaps. CHAT_FAULT_MESSAGES scales the run (messages per
// sender; default 400) for the longer soak run of the issue note.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <thread>

#include "client_reliability_support.h"

namespace chat::testing {
namespace {

int MessagesPerSender() {
  const char* value = std::getenv("CHAT_FAULT_MESSAGES");
  return value ? std::max(1, std::atoi(value)) : 400;
}

TEST(Faults, EveryAcceptedMessageIsOnEveryMemberDeviceOnceInOrderAfterCrashesAndRestarts) {
  TestStack stack;
  const std::vector<std::string> senders = {"alice", "carol", "dave"};
  std::vector<std::unique_ptr<ChatClient>> clients;
  for (const auto& user : senders) clients.push_back(Connected(OptionsFor(stack, user, "phone")));
  clients.push_back(Connected(OptionsFor(stack, "bob", "phone")));
  clients.push_back(Connected(OptionsFor(stack, "bob", "tablet")));

  auto created = clients[0]->CreateGroup("faults", {"bob", "carol", "dave"});
  ASSERT_TRUE(created.status.ok());
  auto reply = clients[0]->WaitForReply(created.req_id, 10s);
  ASSERT_TRUE(reply && reply->Is("conv")) << (reply ? reply->raw : "no reply");
  const std::string conv = reply->conv;

  const int per_sender = MessagesPerSender();
  const int total = per_sender * static_cast<int>(senders.size());
  std::vector<std::thread> threads;
  for (std::size_t s = 0; s < senders.size(); ++s) {
    threads.emplace_back([&, s] {
      for (int i = 1; i <= per_sender; ++i) {
        std::string cmid = senders[s] + "-" + std::to_string(i);
        client::SendRequest request{"", conv, "fault " + cmid, cmid, {}};
        EXPECT_TRUE(clients[s]->Send(request).status.ok()) << cmid;
        std::this_thread::sleep_for(2ms);
      }
    });
  }
  std::this_thread::sleep_for(300ms);
  stack.StopChatd(SIGKILL);
  stack.StartChatd();
  std::this_thread::sleep_for(400ms);
  stack.RestartBroker();
  std::this_thread::sleep_for(400ms);
  stack.StopChatd(SIGKILL);
  stack.StartChatd();
  for (auto& t : threads) t.join();

  std::vector<AppView> views;
  for (auto& c : clients) views.emplace_back(*c);
  for (std::size_t s = 0; s < senders.size(); ++s) {
    ASSERT_TRUE(views[s].Until([&] { return clients[s]->PendingSends().empty(); }, 120s))
        << senders[s] << ": " << clients[s]->PendingSends().size() << " never accepted";
  }
  // Every member device: the group.created system message (seq 1) and every
  // message, each once, in seq order, nothing else.
  for (std::size_t d = 0; d < clients.size(); ++d) {
    const auto& options = clients[d]->options();
    ASSERT_TRUE(views[d].Until(
        [&] { return views[d].Messages(conv).size() >= std::size_t(total + 1); }, 60s))
        << options.user << "/" << options.device << " has " << views[d].Messages(conv).size();
    views[d].For(300ms);
    std::set<std::string> bodies;  // "fault <cmid>": one per message sent
    for (const Event& e : views[d].Messages(conv)) {
      if (e.seq > 1) {
        EXPECT_TRUE(bodies.insert(e.body).second) << "shown twice: " << e.body;
      }
    }
    EXPECT_EQ(bodies.size(), std::size_t(total)) << options.user << "/" << options.device;
    EXPECT_EQ(views[d].Seqs(conv), OneTo(total + 1)) << options.user << "/" << options.device;
  }
}

}  // namespace
}  // namespace chat::testing
