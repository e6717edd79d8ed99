// The writer against a real SQLite file: sequencing, dedupe, errors
// that change nothing, and the all-or-nothing batch.
#include "chatd/writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "chat/presence_format.h"
#include "chat/token.h"
#include "chat/topics.h"
#include "engine_fixture.h"
#include "fanout_events.h"
#include "store/account_store.h"
#include "store/migrator.h"
#include "store/privacy_store.h"
#include "store/push_store.h"

namespace chat {
namespace {

using json = nlohmann::json;

class WriterTest : public EngineFixture {
 protected:
  WriterOptions Options() {
    WriterOptions options;
    options.presence = &presence_;
    return options;
  }
  void SetUp() override {
    OpenFreshDatabase();
    if (IsSkipped()) return;
    AccountStore accounts(*db_);
    for (const char* u : {"alice", "bob", "carol"}) accounts.AddUser(u, "");
    store_ = std::make_unique<MessageStore>(*db_);
    writer_ = std::make_unique<Writer>(
        *db_, writes_,
        [this](const std::string& payload) {
          published_.push_back(payload);
          return true;
        },
        Options());
  }
  void TearDown() override {
    writer_.reset();
    store_.reset();
    CloseDatabase();
  }

  // Runs one batch; returns every (topic, event) it would publish.
  std::vector<std::pair<std::string, json>> Run(
      std::vector<std::pair<DeviceAddress, std::string>> inputs) {
    for (auto& [sender, payload] : inputs) writes_.Push(ParseCommand(sender, payload, {}));
    published_.clear();
    EXPECT_TRUE(writer_->WriteBatch(std::chrono::milliseconds(0)));
    return DecodeFanout(published_);
  }

  static std::string Send(const std::string& to, const std::string& cmid) {
    return json{{"type", "send"}, {"to", to}, {"cmid", cmid}, {"body", "hi " + cmid}}.dump();
  }

  // A device connects, as the broker plugin tells chatd.
  void Connected(const std::string& user, const std::string& device, int64_t devices) {
    presence_.Apply(kBrokerBootTopic, presence::EncodeBrokerMark({kBoot, std::nullopt}));
    presence_.Apply(PresenceTopic(user),
                    presence::EncodeUserState({user, true, devices, 1, kBoot, device}));
  }

  std::vector<PushJob> Jobs() { return PushStore(*db_).DueJobs(int64_t{1} << 62, 1000); }

  static constexpr int64_t kBoot = 1700000000000;
  const DeviceAddress alice_{"alice", "phone"};
  PresenceView presence_;
  std::unique_ptr<MessageStore> store_;
  BlockingQueue<Command> writes_;
  std::vector<std::string> published_;
  std::unique_ptr<Writer> writer_;
};
INSTANTIATE_ON_BOTH_ENGINES(WriterTest);

TEST_P(WriterTest, FirstSendCreatesTheConversationAndDeliversToBoth) {
  auto events = Run({{alice_, Send("bob", "m1")}});
  ASSERT_EQ(events.size(), 4u);  // conv.new x2, msg to bob, accepted to alice
  EXPECT_EQ(events[0].second["type"], "conv.new");
  std::string conv = events[0].second["conv"];
  EXPECT_EQ(events[2].first, "chat/inbox/bob/" + conv);
  EXPECT_EQ(events[2].second["type"], "msg");
  EXPECT_EQ(events[2].second["seq"], 1);
  EXPECT_EQ(events[2].second["from"], "alice");
  EXPECT_FALSE(events[2].second.contains("conv"));  // the topic names it
  EXPECT_FALSE(events[2].second.contains("cmid"));  // only the sender's devices need it
  EXPECT_EQ(events[3].first, "chat/dev/alice/phone");
  EXPECT_EQ(events[3].second["type"], "accepted");
  EXPECT_EQ(events[3].second["conv"], conv);  // the send named `to`: news to the device
  EXPECT_EQ(events[3].second["cmid"], "m1");
  EXPECT_FALSE(events[3].second.contains("body"));  // the sending device has it
  EXPECT_FALSE(events[3].second.contains("dup"));
}

TEST_P(WriterTest, TheSendersOtherDevicesGetTheMessageAndTheSendingDeviceOnlyItsAcceptance) {
  AccountStore accounts(*db_);
  for (const char* device : {"laptop", "phone", "tablet"}) accounts.AddDevice("alice", device, "");
  auto events = Run({{alice_, Send("bob", "m1")}});
  std::map<std::string, json> by_topic(events.begin(), events.end());
  EXPECT_EQ(by_topic["chat/dev/alice/phone"]["type"], "accepted");
  for (const char* other : {"chat/dev/alice/laptop", "chat/dev/alice/tablet"}) {
    const json& copy = by_topic[other];
    EXPECT_EQ(copy["type"], "msg") << other;
    EXPECT_EQ(copy["body"], "hi m1") << other;
    EXPECT_EQ(copy["dev"], "phone") << other;
    EXPECT_EQ(copy["cmid"], "m1") << other;
    EXPECT_FALSE(copy["conv"].get<std::string>().empty()) << other;
  }
  for (const auto& [topic, event] : events) {
    EXPECT_FALSE(topic.starts_with("chat/inbox/alice/")) << "no echo on alice's inbox: " << topic;
  }
}

TEST_P(WriterTest, ASendToAConversationIsAcceptedWithoutNamingIt) {
  auto first = Run({{alice_, Send("bob", "m1")}});
  std::string conv = first[0].second["conv"];
  json post{{"type", "send"}, {"conv", conv}, {"cmid", "m2"}, {"body", "again"}};
  auto events = Run({{alice_, post.dump()}});
  std::map<std::string, json> by_topic(events.begin(), events.end());
  const json& accepted = by_topic["chat/dev/alice/phone"];
  EXPECT_EQ(accepted["type"], "accepted");
  EXPECT_EQ(accepted["seq"], 2);
  EXPECT_EQ(accepted["cmid"], "m2");
  EXPECT_FALSE(accepted.contains("conv"));  // the device named it in its send
}

TEST_P(WriterTest, ResendWithSameClientIdReturnsOriginalSeq) {
  Run({{alice_, Send("bob", "m1")}, {alice_, Send("bob", "m2")}});
  auto events = Run({{alice_, Send("bob", "m1")}});
  ASSERT_EQ(events.size(), 1u);  // only the sender hears about it
  EXPECT_EQ(events[0].second["type"], "accepted");
  EXPECT_EQ(events[0].second["seq"], 1);
  EXPECT_EQ(events[0].second["dup"], true);
  EXPECT_EQ(store_->MessageCount(), 2);
}

TEST_P(WriterTest, DuplicateInsideOneBatchIsStoredOnce) {
  auto events = Run({{alice_, Send("bob", "m1")}, {alice_, Send("bob", "m1")}});
  EXPECT_EQ(store_->MessageCount(), 1);
  EXPECT_EQ(events.back().second["dup"], true);
}

TEST_P(WriterTest, SeqIsConsecutiveAcrossBatches) {
  for (int i = 1; i <= 20; ++i) {
    auto events = Run({{alice_, Send("bob", "m" + std::to_string(i))}});
    EXPECT_EQ(events.back().second["seq"], i);
  }
}

TEST_P(WriterTest, UnknownUserIsRejectedAndNothingIsStored) {
  auto events = Run({{alice_, Send("nobody", "m1")}});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].first, "chat/dev/alice/phone");
  EXPECT_EQ(events[0].second["code"], "unknown_user");
  EXPECT_EQ(events[0].second["cmid"], "m1");
  EXPECT_EQ(ConversationStore(*db_).ConversationCount(), 0);
  EXPECT_EQ(store_->MessageCount(), 0);
}

TEST_P(WriterTest, NonMemberCannotPostToAConversation) {
  auto first = Run({{alice_, Send("bob", "m1")}});
  std::string conv = first[0].second["conv"];
  json post{{"type", "send"}, {"conv", conv}, {"cmid", "x1"}, {"body", "intrude"}};
  auto events = Run({{DeviceAddress{"carol", "pc"}, post.dump()}});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].first, "chat/dev/carol/pc");
  EXPECT_EQ(events[0].second["code"], "not_member");
  EXPECT_EQ(store_->MessageCount(), 1);
}

TEST_P(WriterTest, UnknownConversationIsRejected) {
  json post{{"type", "send"}, {"conv", "cdoesnotexist"}, {"cmid", "x1"}, {"body", "?"}};
  auto events = Run({{alice_, post.dump()}});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].second["code"], "unknown_conversation");
}

TEST_P(WriterTest, BadCommandDoesNotDisturbOthersInTheBatch) {
  auto events = Run({{alice_, "{not json"}, {alice_, Send("bob", "m1")}});
  EXPECT_EQ(events[0].second["code"], "bad_json");
  EXPECT_EQ(events.back().second["type"], "accepted");
  EXPECT_EQ(store_->MessageCount(), 1);
}

TEST_P(WriterTest, ConvCreateIsIdempotent) {
  json create{{"type", "conv.create"}, {"req_id", "r1"}, {"with", "bob"}};
  auto first = Run({{alice_, create.dump()}});
  auto second =
      Run({{DeviceAddress{"bob", "tab"}, json{{"type", "conv.create"}, {"with", "alice"}}.dump()}});
  EXPECT_EQ(first.back().second["type"], "conv");
  EXPECT_EQ(first.back().second["created"], true);
  EXPECT_EQ(first.back().second["req_id"], "r1");
  EXPECT_EQ(second.back().second["created"], false);
  EXPECT_EQ(first.back().second["conv"], second.back().second["conv"]);
  EXPECT_EQ(ConversationStore(*db_).ConversationCount(), 1);
}

TEST_P(WriterTest, StorageFailureRollsBackTheWholeBatchAndSaysInternal) {
  Run({{alice_, Send("bob", "m1")}});
  FailInserts("messages");
  auto events = Run({{alice_, Send("bob", "m2")}, {alice_, Send("carol", "m3")}});
  ASSERT_EQ(events.size(), 2u);
  for (const auto& [topic, event] : events) {
    EXPECT_EQ(topic, "chat/dev/alice/phone");
    EXPECT_EQ(event["code"], "internal");
  }
  StopFailingInserts("messages");
  EXPECT_EQ(store_->MessageCount(), 1);
  EXPECT_EQ(ConversationStore(*db_).ConversationCount(), 1);  // carol's was rolled back too
}

TEST_P(WriterTest, SendBetweenBlockedUsersIsRefusedAndStoresNothing) {
  auto first = Run({{alice_, Send("bob", "m1")}});
  std::string conv = first[0].second["conv"];
  PrivacyStore(*db_).Block("bob", "alice", 1);
  json post{{"type", "send"}, {"conv", conv}, {"cmid", "m2"}, {"body", "there?"}};
  auto events = Run({{alice_, post.dump()}, {DeviceAddress{"bob", "tab"}, Send("alice", "b1")}});
  ASSERT_EQ(events.size(), 2u);  // one error each, nothing to anyone else
  EXPECT_EQ(events[0].first, "chat/dev/alice/phone");
  EXPECT_EQ(events[0].second["code"], "blocked");
  EXPECT_EQ(events[1].first, "chat/dev/bob/tab");  // the blocker cannot write either
  EXPECT_EQ(events[1].second["code"], "blocked");
  EXPECT_EQ(store_->MessageCount(), 1);
}

TEST_P(WriterTest, SendToABlockerOpensNoConversation) {
  PrivacyStore(*db_).Block("bob", "alice", 1);
  auto events = Run({{alice_, Send("bob", "m1")},
                     {alice_, json{{"type", "conv.create"}, {"with", "bob"}}.dump()}});
  ASSERT_EQ(events.size(), 2u);
  for (const auto& [topic, event] : events) EXPECT_EQ(event["code"], "blocked");
  EXPECT_EQ(ConversationStore(*db_).ConversationCount(), 0);
}

TEST_P(WriterTest, ResendOfAMessageStoredBeforeABlockIsStillItsAcceptance) {
  Run({{alice_, Send("bob", "m1")}});
  PrivacyStore(*db_).Block("bob", "alice", 1);
  auto events = Run({{alice_, Send("bob", "m1")}});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].second["type"], "accepted");
  EXPECT_EQ(events[0].second["dup"], true);
}

TEST_P(WriterTest, GroupCreateWithAUserWhoBlockedTheCreatorAppliesNothing) {
  PrivacyStore(*db_).Block("carol", "alice", 1);
  json create{{"type", "group.create"}, {"title", "T"}, {"members", {"bob", "carol"}}};
  auto events = Run({{alice_, create.dump()}});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].second["code"], "blocked");
  EXPECT_EQ(ConversationStore(*db_).ConversationCount(), 0);
  EXPECT_EQ(store_->MessageCount(), 0);
}

TEST_P(WriterTest, BlockingOnlyOneWayLetsTheBlockerAddTheBlocked) {
  // Only the one who blocks is protected from being added.
  PrivacyStore(*db_).Block("alice", "carol", 1);
  json create{{"type", "group.create"}, {"title", "T"}, {"members", {"carol"}}};
  auto events = Run({{alice_, create.dump()}});
  EXPECT_EQ(events.back().second["type"], "conv");
}

TEST_P(WriterTest, ReadReceiptsOffShowOthersReadAsZero) {
  auto first = Run({{alice_, Send("bob", "m1")}});
  std::string conv = first[0].second["conv"];
  PrivacyStore(*db_).SetSettings("bob", {PresenceAudience::kEveryone, false});
  json read{{"type", "read"}, {"conv", conv}, {"seq", 1}};
  auto events = Run({{DeviceAddress{"bob", "tab"}, read.dump()}});
  ASSERT_EQ(events.size(), 1u);  // bob has no other device registered
  EXPECT_EQ(events[0].first, "chat/inbox/alice/" + conv);
  EXPECT_EQ(events[0].second["delivered"], 1);
  EXPECT_EQ(events[0].second["read"], 0);
  // A later read that moves no delivered cursor tells the others nothing.
  Run({{alice_, Send("bob", "m2")}});
  json delivered{{"type", "delivered"}, {"conv", conv}, {"seq", 2}};
  Run({{DeviceAddress{"bob", "tab"}, delivered.dump()}});
  read["seq"] = 2;
  EXPECT_TRUE(Run({{DeviceAddress{"bob", "tab"}, read.dump()}}).empty());
}

TEST_P(WriterTest, PrivacyChangesAnswerTheDeviceAndReachTheUsersOtherDevices) {
  AccountStore accounts(*db_);
  for (const char* device : {"laptop", "phone"}) accounts.AddDevice("alice", device, "");
  json set{{"type", "settings.set"}, {"req_id", "p1"}, {"read_receipts", false}};
  auto events = Run({{alice_, set.dump()}});
  std::map<std::string, json> by_topic(events.begin(), events.end());
  ASSERT_EQ(by_topic.size(), 2u);
  EXPECT_EQ(by_topic["chat/dev/alice/phone"], json({{"type", "settings"},
                                                    {"req_id", "p1"},
                                                    {"presence", "everyone"},
                                                    {"read_receipts", false},
                                                    {"push_preview", "full"}}));
  EXPECT_EQ(by_topic["chat/dev/alice/laptop"], json({{"type", "settings"},
                                                     {"presence", "everyone"},
                                                     {"read_receipts", false},
                                                     {"push_preview", "full"}}));
  json block{{"type", "block"}, {"req_id", "b1"}, {"user", "bob"}};
  events = Run({{alice_, block.dump()}, {alice_, block.dump()}});  // a resend: same answer
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].second, events[2].second);
  EXPECT_EQ(events[0].second["users"], json({"bob"}));
}

}  // namespace
}  // namespace chat

namespace chat {
namespace {

// --- push jobs: written with the message, for devices that are not connected ---

json Register(const std::string& token) {
  return {{"type", "push.register"},
          {"req_id", "r1"},
          {"platform", "fcm"},
          {"app", "com.example.chat"},
          {"token", token}};
}

TEST_P(WriterTest, PushRegistrationIsAnsweredAndStoredWithoutTheToken) {
  AccountStore(*db_).AddDevice("bob", "phone", "");
  auto events = Run({{{"bob", "phone"}, Register("fcm-token-1").dump()}});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].second, json({{"type", "push"},
                                    {"req_id", "r1"},
                                    {"registered", true},
                                    {"platform", "fcm"},
                                    {"app", "com.example.chat"},
                                    {"sandbox", false}}));
  auto stored = PushStore(*db_).RegistrationOf("bob", "phone");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->token, "fcm-token-1");
  events = Run({{{"bob", "phone"}, R"({"type":"push.unregister","req_id":"r2"})"}});
  EXPECT_EQ(events[0].second, json({{"type", "push"}, {"req_id", "r2"}, {"registered", false}}));
  EXPECT_FALSE(PushStore(*db_).RegistrationOf("bob", "phone"));
}

TEST_P(WriterTest, AMessageOwesAnAlertToEachDeviceOfAnOfflineRecipientWithAToken) {
  AccountStore accounts(*db_);
  for (const char* device : {"phone", "tablet", "laptop"}) accounts.AddDevice("bob", device, "");
  Run({{{"bob", "phone"}, Register("tok-phone").dump()},
       {{"bob", "tablet"}, Register("tok-tablet").dump()}});  // the laptop has no token
  Run({{alice_, Send("bob", "m1")}});
  auto jobs = Jobs();
  ASSERT_EQ(jobs.size(), 2u);
  for (const PushJob& job : jobs) {
    EXPECT_EQ(job.user, "bob");
    EXPECT_EQ(job.kind, PushKind::kAlert);
    EXPECT_EQ(job.seq, 1);
  }
  EXPECT_EQ(jobs[0].device, "phone");
  EXPECT_EQ(jobs[1].device, "tablet");
}

TEST_P(WriterTest, AConnectedDeviceGetsNoPushAndItsUsersOtherDevicesOnlyASilentBadge) {
  AccountStore accounts(*db_);
  for (const char* device : {"phone", "tablet"}) accounts.AddDevice("bob", device, "");
  Run({{{"bob", "phone"}, Register("tok-phone").dump()},
       {{"bob", "tablet"}, Register("tok-tablet").dump()}});
  Connected("bob", "tablet", 1);
  Run({{alice_, Send("bob", "m1")}});
  auto jobs = Jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].device, "phone");
  EXPECT_EQ(jobs[0].kind, PushKind::kBadge);
}

TEST_P(WriterTest, AMutedConversationOwesNoPushAndTheSenderNone) {
  AccountStore accounts(*db_);
  accounts.AddDevice("bob", "phone", "");
  accounts.AddDevice("alice", "laptop", "");
  Run({{{"bob", "phone"}, Register("tok-bob").dump()},
       {{"alice", "laptop"}, Register("tok-alice").dump()}});
  std::string conv = Run({{alice_, Send("bob", "m1")}})[0].second["conv"];
  EXPECT_EQ(Jobs().size(), 1u);  // bob's; none for alice's own laptop
  Run({{{"bob", "phone"}, json{{"type", "mute"}, {"conv", conv}}.dump()}});
  Run({{alice_, Send("bob", "m2")}});
  EXPECT_EQ(Jobs().size(), 1u);
}

TEST_P(WriterTest, AReadOwesASilentClearToTheUsersOtherDisconnectedDevices) {
  AccountStore accounts(*db_);
  for (const char* device : {"phone", "laptop"}) accounts.AddDevice("bob", device, "");
  Run({{{"bob", "phone"}, Register("tok-phone").dump()}});
  std::string conv = Run({{alice_, Send("bob", "m1")}})[0].second["conv"];
  PushStore(*db_).DeleteJob(Jobs().at(0).id);
  Run({{{"bob", "laptop"}, json{{"type", "read"}, {"conv", conv}, {"seq", 1}}.dump()}});
  auto jobs = Jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].device, "phone");
  EXPECT_EQ(jobs[0].kind, PushKind::kClear);
  EXPECT_EQ(jobs[0].conv, conv);
  EXPECT_EQ(jobs[0].seq, 1);
}

TEST_P(WriterTest, RevokingADevicesTokensRemovesItsPushToken) {
  AccountStore accounts(*db_);
  accounts.AddDevice("bob", "phone", "");
  accounts.AddDevice("bob", "tablet", "");
  Run({{{"bob", "phone"}, Register("tok-phone").dump()},
       {{"bob", "tablet"}, Register("tok-tablet").dump()}});
  accounts.RevokeDeviceTokens("bob", "phone", 1000);
  EXPECT_FALSE(PushStore(*db_).RegistrationOf("bob", "phone"));
  SigningKey key(32, 7);
  IssuedToken issued = accounts.IssueToken("bob", "tablet", 60, TokenSigner(key), 1000);
  EXPECT_EQ(accounts.RevokeToken(issued.record.jti, 1001), 1);
  EXPECT_FALSE(PushStore(*db_).RegistrationOf("bob", "tablet"));
}

TEST_P(WriterTest, ATokenRegisteredByAnotherDeviceMovesThere) {
  AccountStore accounts(*db_);
  accounts.AddDevice("bob", "phone", "");
  accounts.AddDevice("carol", "phone", "");
  Run({{{"bob", "phone"}, Register("shared-token").dump()}});
  Run({{{"carol", "phone"}, Register("shared-token").dump()}});
  EXPECT_FALSE(PushStore(*db_).RegistrationOf("bob", "phone"));
  EXPECT_TRUE(PushStore(*db_).RegistrationOf("carol", "phone"));
}

// A batch of sends to known conversations is read ahead (chatd/batch_prefetch.h);
// what the batch itself changes must be seen by the sends after the change.
class PrefetchedBatchTest : public WriterTest {
 protected:
  static std::string Post(const std::string& conv, const std::string& cmid) {
    return json{{"type", "send"}, {"conv", conv}, {"cmid", cmid}, {"body", "hi " + cmid}}.dump();
  }
  // The (topic, event) pairs of `type` among `events`.
  static std::vector<std::pair<std::string, json>> OfType(
      const std::vector<std::pair<std::string, json>>& events, const std::string& type) {
    std::vector<std::pair<std::string, json>> out;
    for (const auto& event : events) {
      if (event.second["type"] == type) out.push_back(event);
    }
    return out;
  }
};
INSTANTIATE_ON_BOTH_ENGINES(PrefetchedBatchTest);

TEST_P(PrefetchedBatchTest, SendsAndResendsInOneBatchGetConsecutiveSeqsAndOneCopyEach) {
  std::string conv = Run({{alice_, Send("bob", "m1")}})[0].second["conv"];
  DeviceAddress bob{"bob", "phone"};
  auto events = Run({{alice_, Post(conv, "m2")},
                     {bob, Post(conv, "b1")},
                     {alice_, Post(conv, "m2")},    // resent before its acceptance came
                     {alice_, Send("bob", "m3")},   // by user: the same conversation
                     {alice_, Post(conv, "m1")}});  // resent from the batch before
  auto accepted = OfType(events, "accepted");
  ASSERT_EQ(accepted.size(), 5u);
  std::vector<int64_t> seqs;
  std::vector<bool> dups;
  for (const auto& [topic, event] : accepted) {
    seqs.push_back(event["seq"]);
    dups.push_back(event.value("dup", false));
  }
  EXPECT_EQ(seqs, (std::vector<int64_t>{2, 3, 2, 4, 1}));
  EXPECT_EQ(dups, (std::vector<bool>{false, false, true, false, true}));
  EXPECT_EQ(OfType(events, "msg").size(), 3u);  // one live copy per new message
  EXPECT_EQ(store_->MessageCount(), 4);
  // The next batch counts on from there.
  EXPECT_EQ(OfType(Run({{alice_, Post(conv, "m5")}}), "accepted")[0].second["seq"], 5);
}

TEST_P(PrefetchedBatchTest, SendsToANewPartnerInOneBatchOpenOneConversation) {
  DeviceAddress bob{"bob", "phone"};
  auto events = Run({{alice_, Send("bob", "m1")},
                     {alice_, Send("nobody", "x1")},
                     {bob, Send("alice", "b1")},
                     {alice_, Send("bob", "m2")}});
  auto accepted = OfType(events, "accepted");
  ASSERT_EQ(accepted.size(), 3u);
  std::set<std::string> convs;
  std::vector<int64_t> seqs;
  for (const auto& [topic, event] : accepted) {
    convs.insert(event["conv"].get<std::string>());
    seqs.push_back(event["seq"]);
  }
  EXPECT_EQ(convs.size(), 1u);
  EXPECT_EQ(seqs, (std::vector<int64_t>{1, 2, 3}));
  auto errors = OfType(events, "error");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].second["code"], "unknown_user");
  EXPECT_EQ(ConversationStore(*db_).ConversationCount(), 1);
}

TEST_P(PrefetchedBatchTest, AMemberAddedInTheBatchGetsTheSendsAfterIt) {
  json create{{"type", "group.create"}, {"title", "T"}, {"members", {"bob"}}};
  std::string conv = Run({{alice_, create.dump()}}).back().second["conv"];
  json add{{"type", "group.add"}, {"conv", conv}, {"users", {"carol"}}};
  auto events =
      Run({{alice_, Post(conv, "before")}, {alice_, add.dump()}, {alice_, Post(conv, "after")}});
  std::vector<std::string> carols;
  for (const auto& [topic, event] : OfType(events, "msg")) {
    if (topic == "chat/inbox/carol/" + conv && event.value("from", "") == "alice" &&
        event.value("body", "") != "")
      carols.push_back(event["body"]);
  }
  EXPECT_EQ(carols, std::vector<std::string>{"hi after"});
}

TEST_P(PrefetchedBatchTest, ABlockInTheBatchStopsTheSendsAfterIt) {
  std::string conv = Run({{alice_, Send("bob", "m1")}})[0].second["conv"];
  DeviceAddress bob{"bob", "phone"};
  json block{{"type", "block"}, {"user", "alice"}};
  auto events = Run({{alice_, Post(conv, "m2")}, {bob, block.dump()}, {alice_, Post(conv, "m3")}});
  auto errors = OfType(events, "error");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].second["code"], "blocked");
  EXPECT_EQ(errors[0].second["cmid"], "m3");
  EXPECT_EQ(store_->MessageCount(), 2);
}

TEST_P(PrefetchedBatchTest, AMuteOrATokenInTheBatchDecidesThePushesAfterIt) {
  AccountStore accounts(*db_);
  accounts.AddDevice("bob", "phone", "");
  accounts.AddDevice("carol", "phone", "");
  json create{{"type", "group.create"}, {"title", "T"}, {"members", {"bob", "carol"}}};
  std::string conv = Run({{alice_, create.dump()}}).back().second["conv"];
  DeviceAddress bob{"bob", "phone"};
  DeviceAddress carol{"carol", "phone"};
  Run({{bob, Register("tok-bob").dump()}});
  Run({{alice_, Post(conv, "m1")},                            // bob: an alert
       {bob, json{{"type", "mute"}, {"conv", conv}}.dump()},  //
       {alice_, Post(conv, "m2")},                            // bob muted: none
       {carol, Register("tok-carol").dump()},                 //
       {alice_, Post(conv, "m3")}});                          // carol: an alert
  std::vector<std::pair<std::string, int64_t>> owed;
  for (const PushJob& job : Jobs()) owed.emplace_back(job.user, job.seq);
  std::sort(owed.begin(), owed.end());
  // The group's own system message (seq 1) came before any token.
  EXPECT_EQ(owed, (std::vector<std::pair<std::string, int64_t>>{{"bob", 2}, {"carol", 4}}));
}

TEST_P(PrefetchedBatchTest, AFailedInsertRollsBackTheWholePrefetchedBatch) {
  std::string conv = Run({{alice_, Send("bob", "m1")}})[0].second["conv"];
  FailInserts("messages");
  auto events = Run({{alice_, Post(conv, "m2")}, {alice_, Post(conv, "m3")}});
  StopFailingInserts("messages");
  ASSERT_EQ(events.size(), 2u);
  for (const auto& [topic, event] : events) EXPECT_EQ(event["code"], "internal");
  EXPECT_EQ(store_->MessageCount(), 1);
  // Nothing of the failed batch is remembered: the seqs go on from 1.
  EXPECT_EQ(OfType(Run({{alice_, Post(conv, "m2")}}), "accepted")[0].second["seq"], 2);
}

}  // namespace
}  // namespace chat
