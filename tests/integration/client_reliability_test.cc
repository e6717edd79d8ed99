// The client library's guarantees on the real stack (mosquitto + plugin +
// chatd): the outbox survives chatd, broker and client restarts; messages
// reach the app once and in order; sync fills what was missed.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "chat/client/chat_client.h"
#include "chat/fanout_frames.h"
#include "chat/topics.h"
#include "client_reliability_support.h"
#include "harness/mqtt_probe.h"
#include "harness/test_stack.h"

namespace chat::testing {
namespace {

using json = nlohmann::json;

// ---- Needs only send/accepted -------------------------------------------

TEST(ClientReliability, OutboxResendsWhatChatdMissedAndEachMessageGetsOneSeqInOrder) {
  TestStack stack;
  auto alice = Connected(OptionsFor(stack, "alice", "phone"));
  auto bob = Connected(OptionsFor(stack, "bob", "phone"));
  stack.StopChatd(SIGKILL);
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(alice->Send(To("bob", "m" + std::to_string(i), "while down")).status.ok());
  }
  std::this_thread::sleep_for(3s);  // past accept_timeout: resent at least once
  EXPECT_EQ(alice->PendingSends().size(), 5u);
  stack.StartChatd();
  std::map<std::string, int64_t> seq_of;
  std::string conv;
  for (int i = 1; i <= 5; ++i) {
    std::string cmid = "m" + std::to_string(i);
    auto accepted = alice->WaitForAcceptance(cmid, 20s);
    ASSERT_TRUE(accepted && accepted->Is("accepted")) << cmid;
    seq_of[cmid] = accepted->seq;
    conv = accepted->conv;
  }
  EXPECT_EQ(seq_of, (std::map<std::string, int64_t>{
                        {"m1", 1}, {"m2", 2}, {"m3", 3}, {"m4", 4}, {"m5", 5}}));
  EXPECT_TRUE(alice->PendingSends().empty());
  AppView bob_view(*bob);
  ASSERT_TRUE(bob_view.Until([&] { return bob_view.Count("msg") >= 5; }));
  bob_view.For(1s);  // resends are answered with dup: nothing more may show
  EXPECT_EQ(bob_view.Seqs(conv), OneTo(5));
}

TEST(ClientReliability, AnOutboxLeftByAClosedClientIsSentByTheNextOneOnTheSameStateFile) {
  TestStack stack;
  std::string state = stack.dir() + "/alice-phone.db";
  stack.Provision("bob", "phone");
  {
    ChatClient offline(OptionsFor(stack, "alice", "phone", state));  // never connects
    ASSERT_TRUE(offline.Send(To("bob", "k1", "first")).status.ok());
    ASSERT_TRUE(offline.Send(To("bob", "k2", "second")).status.ok());
  }
  auto alice = std::make_unique<ChatClient>(OptionsFor(stack, "alice", "phone", state));
  ASSERT_EQ(alice->PendingSends().size(), 2u);
  ASSERT_TRUE(alice->Connect(5s).ok());
  AppView view(*alice);
  ASSERT_TRUE(view.Until([&] { return alice->PendingSends().empty(); }));
  ASSERT_TRUE(view.Until([&] { return view.Count("accepted") >= 2; }));
  std::vector<std::string> bodies;
  for (const auto& e : view.all()) {
    if (e.Is("accepted")) bodies.push_back(e.cmid + ":" + std::to_string(e.seq) + ":" + e.body);
  }
  EXPECT_EQ(bodies, (std::vector<std::string>{"k1:1:first", "k2:2:second"}));
}

TEST(ClientReliability, ClientsReconnectAfterABrokerRestartResubscribeAndKeepSending) {
  TestStack stack;
  auto alice = Connected(OptionsFor(stack, "alice", "phone"));
  auto bob = Connected(OptionsFor(stack, "bob", "phone"));
  SendAccepted(*alice, 1, "before");
  stack.RestartBroker();  // sessions are lost: only a resubscribe brings events back
  AppView alice_view(*alice), bob_view(*bob);
  ASSERT_TRUE(alice_view.UntilType("connection.restored"));
  ASSERT_TRUE(bob_view.UntilType("connection.restored"));
  EXPECT_EQ(alice_view.Count("connection.lost"), 1u);
  ASSERT_TRUE(alice->Send(To("bob", "after1", "after the restart")).status.ok());
  auto accepted = alice->WaitForAcceptance("after1", 40s);  // chatd reconnects within ~30 s
  ASSERT_TRUE(accepted && accepted->Is("accepted")) << stack.ChatdLog();
  EXPECT_EQ(accepted->seq, 2);
  ASSERT_TRUE(bob_view.Until([&] {
    return !bob_view.Seqs(accepted->conv).empty() && bob_view.Seqs(accepted->conv).back() == 2;
  }));
  EXPECT_EQ(bob_view.Seqs(accepted->conv), (std::vector<int64_t>{1, 2}));
}

TEST(ClientReliability, TheSameMessageDeliveredTwiceReachesTheAppOnce) {
  TestStack stack;
  auto alice = Connected(OptionsFor(stack, "alice", "phone"));
  auto bob = Connected(OptionsFor(stack, "bob", "phone"));
  std::string conv = SendAccepted(*alice, 1);
  AppView bob_view(*bob);
  ASSERT_TRUE(bob_view.Until([&] { return bob_view.Messages(conv).size() == 1; }));
  // The broker redelivering: a service identity fans the same payload out again, twice.
  MqttProbe service(stack.port(), "svc:test");
  ASSERT_EQ(service.Connect("svc:test", stack.ServiceToken("test")), 0);
  std::string batch;
  AppendFanoutItem(batch, std::vector<std::string>{"chat/inbox/bob/" + conv},
                   bob_view.Messages(conv)[0].raw);
  service.Publish(std::string(kFanoutTopic), batch);
  service.Publish(std::string(kFanoutTopic), batch);
  SendAccepted(*alice, 1, "next");
  ASSERT_TRUE(bob_view.Until([&] { return bob_view.Messages(conv).size() >= 2; }));
  bob_view.For(500ms);
  EXPECT_EQ(bob_view.Seqs(conv), (std::vector<int64_t>{1, 2}));
}

TEST(ClientReliability, AMessageAheadOfItsPredecessorIsHeldAndReleasedInOrder) {
  TestStack stack;
  auto alice = Connected(OptionsFor(stack, "alice", "phone"));
  auto bob = Connected(OptionsFor(stack, "bob", "phone"));
  std::string conv = SendAccepted(*alice, 1);
  AppView bob_view(*bob);
  ASSERT_TRUE(bob_view.Until([&] { return bob_view.Messages(conv).size() == 1; }));
  // Seq 3 overtakes seq 2 (as after a redelivery race): bob must hold it.
  json early{{"type", "msg"},   {"conv", conv},   {"seq", 3},     {"ts", 1},
             {"from", "alice"}, {"dev", "phone"}, {"cmid", "m3"}, {"body", "body m3"}};
  MqttProbe service(stack.port(), "svc:test");
  ASSERT_EQ(service.Connect("svc:test", stack.ServiceToken("test")), 0);
  std::string batch;
  AppendFanoutItem(batch, std::vector<std::string>{"chat/inbox/bob/" + conv}, early.dump());
  service.Publish(std::string(kFanoutTopic), batch);
  bob_view.For(1s);
  EXPECT_EQ(bob_view.Seqs(conv), (std::vector<int64_t>{1}));  // held, not shown
  ASSERT_TRUE(alice->Send(To("bob", "m2", "body m2")).status.ok());
  ASSERT_TRUE(alice->Send(To("bob", "m3", "body m3")).status.ok());
  ASSERT_TRUE(bob_view.Until([&] { return bob_view.Messages(conv).size() >= 3; }));
  bob_view.For(500ms);
  EXPECT_EQ(bob_view.Seqs(conv), (std::vector<int64_t>{1, 2, 3}));
}

TEST(ClientReliability, EveryAcceptedSendIsOnceInOrderWhileChatdIsKilledAndTheBrokerRestarts) {
  TestStack stack;
  auto alice = Connected(OptionsFor(stack, "alice", "phone"));
  stack.Provision("bob", "phone");
  constexpr int kCount = 200;
  std::thread sender([&] {
    for (int i = 1; i <= kCount; ++i) {
      alice->Send(To("bob", "f" + std::to_string(i), "fault " + std::to_string(i)));
      std::this_thread::sleep_for(5ms);
    }
  });
  std::this_thread::sleep_for(300ms);
  stack.StopChatd(SIGKILL);
  stack.StartChatd();
  std::this_thread::sleep_for(300ms);
  stack.RestartBroker();
  sender.join();
  AppView view(*alice);
  ASSERT_TRUE(view.Until([&] { return alice->PendingSends().empty(); }, 90s))
      << alice->PendingSends().size() << " left";
  // Alice's app sees her conversation as every device does: an `accepted`
  // lost in the broker restart comes back as a `msg` through sync.
  auto mine = [&] {
    std::vector<Event> out;
    for (const Event& e : view.all()) {
      if (e.IsSequenced() && e.from == "alice") out.push_back(e);
    }
    return out;
  };
  ASSERT_TRUE(view.Until([&] { return mine().size() >= kCount; }, 30s)) << mine().size();
  view.For(500ms);
  std::set<std::string> cmids;
  std::vector<int64_t> seqs;
  for (const Event& e : mine()) {
    EXPECT_TRUE(cmids.insert(e.cmid).second) << "cmid shown twice: " << e.cmid;
    seqs.push_back(e.seq);
  }
  EXPECT_EQ(cmids.size(), static_cast<std::size_t>(kCount));
  EXPECT_EQ(seqs, OneTo(kCount));  // once each, in order, no gap
}

// ---- Needs the server's sync, history, groups and receipts --------------

TEST(ClientReliabilitySync, AReturningDeviceGetsWhatItMissedOnceAndInOrderFromItsCursors) {
  TestStack stack;
  auto alice = Connected(OptionsFor(stack, "alice", "phone"));
  std::string bob_state = stack.dir() + "/bob-phone.db";
  ClientOptions bob_options = OptionsFor(stack, "bob", "phone", bob_state);
  bob_options.clean_session = true;  // the broker keeps nothing: only sync can catch up
  std::string conv;
  {
    auto bob = Connected(bob_options);
    conv = SendAccepted(*alice, 3);
    AppView view(*bob);
    ASSERT_TRUE(view.Until([&] { return view.Messages(conv).size() == 3; }));
  }                                  // bob's app has shown 1..3; its cursor is saved
  SendAccepted(*alice, 4, "later");  // seqs 4..7 while bob is away
  auto bob = Connected(bob_options);
  AppView view(*bob);
  ASSERT_TRUE(view.UntilType("sync"));
  view.For(300ms);
  EXPECT_EQ(view.Seqs(conv), (std::vector<int64_t>{4, 5, 6, 7}));
  auto convs = bob->Conversations();
  ASSERT_EQ(convs.size(), 1u);
  EXPECT_EQ(convs[0].last_seq, 7);
  EXPECT_EQ(convs[0].unread, 7);
}

TEST(ClientReliabilitySync, ARecipientMissingLiveMessagesDuringABrokerRestartCatchesUp) {
  TestStack stack;
  auto alice = Connected(OptionsFor(stack, "alice", "phone"));
  auto bob = Connected(OptionsFor(stack, "bob", "phone"));
  constexpr int kCount = 60;
  std::thread sender([&] {
    for (int i = 1; i <= kCount; ++i) {
      alice->Send(To("bob", "b" + std::to_string(i), "burst " + std::to_string(i)));
      std::this_thread::sleep_for(10ms);
    }
  });
  std::this_thread::sleep_for(200ms);
  stack.RestartBroker();
  sender.join();
  AppView alice_view(*alice), bob_view(*bob);
  ASSERT_TRUE(alice_view.Until([&] { return alice->PendingSends().empty(); }, 90s));
  ASSERT_TRUE(bob_view.Until(
      [&] {
        for (const auto& e : bob_view.all()) {
          if (e.IsSequenced() && e.seq == kCount) return true;
        }
        return false;
      },
      60s));
  bob_view.For(500ms);
  ASSERT_FALSE(bob_view.all().empty());
  std::string bob_conv;
  for (const auto& e : bob_view.all()) {
    if (e.IsSequenced()) bob_conv = e.conv;
  }
  EXPECT_EQ(bob_view.Seqs(bob_conv), OneTo(kCount));
}

TEST(ClientReliabilitySync, GroupsHistoryReceiptsAndTypingWorkThroughTheLibrary) {
  TestStack stack;
  auto alice = Connected(OptionsFor(stack, "alice", "phone"));
  auto bob = Connected(OptionsFor(stack, "bob", "phone"));
  stack.Provision("carol", "phone");
  auto created = alice->CreateGroup("Climbing", {"bob", "carol"});
  ASSERT_TRUE(created.status.ok());
  auto reply = alice->WaitForReply(created.req_id, 10s);
  ASSERT_TRUE(reply && reply->Is("conv")) << (reply ? reply->raw : "no reply");
  std::string group = reply->conv;
  EXPECT_EQ(reply->roles.at("alice"), "owner");
  for (int i = 1; i <= 3; ++i) {
    std::string cmid = "g" + std::to_string(i);
    ASSERT_TRUE(alice->Send({"", group, "hello " + std::to_string(i), cmid, {}}).status.ok());
    ASSERT_TRUE(alice->WaitForAcceptance(cmid, 10s));
  }
  AppView bob_view(*bob);
  ASSERT_TRUE(bob_view.Until([&] { return bob_view.Messages(group).size() >= 4; }));
  EXPECT_EQ(bob_view.Seqs(group), OneTo(4));
  EXPECT_TRUE(bob_view.Messages(group)[0].IsSystem());
  EXPECT_EQ(bob_view.Messages(group)[0].change.action, "group.created");

  auto history = bob->History(group, 4, 10);
  ASSERT_TRUE(history.status.ok());
  auto page = bob->WaitForReply(history.req_id, 10s);
  ASSERT_TRUE(page && page->Is("history")) << (page ? page->raw : "no reply");
  ASSERT_EQ(page->messages.size(), 3u);
  EXPECT_EQ(page->messages[0].seq, 1);
  EXPECT_EQ(page->messages[2].seq, 3);

  ASSERT_TRUE(bob->MarkRead(group, 4).ok());
  AppView alice_view(*alice);
  ASSERT_TRUE(alice_view.Until([&] {
    for (const auto& e : alice_view.all()) {
      if (e.Is("receipt") && e.user == "bob" && e.read == 4) return true;
    }
    return false;
  }));
  auto receipts = alice->Receipts(group, 4);
  auto who = alice->WaitForReply(receipts.req_id, 10s);
  ASSERT_TRUE(who && who->Is("receipts")) << (who ? who->raw : "no reply");
  EXPECT_EQ(who->read_by, std::vector<std::string>{"bob"});

  ASSERT_TRUE(bob->SendTyping(group).ok());
  ASSERT_TRUE(alice_view.UntilType("typing"));

  auto removed = alice->RemoveMembers(group, {"carol"});
  auto after = alice->WaitForReply(removed.req_id, 10s);
  ASSERT_TRUE(after && after->Is("conv"));
  EXPECT_EQ(after->members, (std::vector<std::string>{"alice", "bob"}));
  ASSERT_TRUE(bob_view.Until([&] { return bob_view.Messages(group).size() >= 5; }));
  EXPECT_EQ(bob_view.Messages(group)[4].change.action, "member.removed");
}

}  // namespace
}  // namespace chat::testing
