// Groups, receipts and queries against a real SQLite file, without a broker:
// the who-may-do-what rules, system messages, visibility and paging.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "chatd/group_requests.h"
#include "chatd/query_service.h"
#include "chatd/writer.h"
#include "engine_fixture.h"
#include "fanout_events.h"
#include "store/account_store.h"
#include "store/migrator.h"

namespace chat {
namespace {

using json = nlohmann::json;
using Events = FanoutEvents;

class GroupTest : public EngineFixture {
 protected:
  void SetUp() override {
    OpenFreshDatabase();
    if (IsSkipped()) return;
    AccountStore accounts(*db_);
    for (const char* u : {"alice", "bob", "carol", "dave"}) accounts.AddUser(u, "");
    CommandLimits limits;
    limits.max_group_members = 3;
    WriterOptions options;
    options.limits = limits;
    writer_ = std::make_unique<Writer>(
        *db_, writes_,
        [this](const std::string& p) {
          published_.push_back(p);
          return true;
        },
        options);
    queries_ = std::make_unique<QueryService>(
        target_, query_queue_, presence_,
        QueryService::PresenceOptions{presence_changes_, audience_changes_, presence_synced_, 0,
                                      [](auto) {}},
        [this](const std::string& p) {
          published_.push_back(p);
          return true;
        });
  }
  void TearDown() override {
    queries_.reset();
    writer_.reset();
    CloseDatabase();
  }

  Events Run(const std::string& user, const json& payload) {
    Command command = ParseCommand({user, "d"}, payload.dump(), {100, 3});
    if (!command.IsQuery()) return Batch({user, "d"}, {payload});
    published_.clear();
    queries_->Answer(command);
    return DecodeFanout(published_);
  }
  // Write commands of one device, in one batch.
  Events Batch(const DeviceAddress& sender, const std::vector<json>& payloads) {
    for (const auto& payload : payloads)
      writes_.Push(ParseCommand(sender, payload.dump(), {100, 3}));
    published_.clear();
    EXPECT_TRUE(writer_->WriteBatch(std::chrono::milliseconds(0)));
    return DecodeFanout(published_);
  }
  static json Last(const Events& events) { return events.back().second; }
  int64_t Count(const std::string& table) {
    auto stmt = db_->Prepare("SELECT count(*) FROM " + table);
    stmt.Step();
    return stmt.Int(0);
  }

  std::string CreateGroup() {
    auto events = Run("alice", {{"type", "group.create"}, {"title", "T"}, {"members", {"bob"}}});
    return Last(events)["conv"];
  }

  BlockingQueue<Command> writes_;
  BlockingQueue<Command> query_queue_;
  std::unique_ptr<Writer> writer_;
  PresenceView presence_;
  BlockingQueue<PresenceTransition> presence_changes_;
  BlockingQueue<std::string> audience_changes_;
  std::atomic<bool> presence_synced_{true};
  std::vector<std::string> published_;
  std::unique_ptr<QueryService> queries_;
};
INSTANTIATE_ON_BOTH_ENGINES(GroupTest);

TEST_P(GroupTest, CreateMakesSenderOwnerAndRecordsASystemMessage) {
  auto events = Run("alice", {{"type", "group.create"},
                              {"req_id", "g1"},
                              {"title", "Climbing"},
                              {"members", {"bob", "carol"}}});
  json reply = Last(events);
  EXPECT_EQ(reply["type"], "conv");
  EXPECT_EQ(reply["kind"], "group");
  EXPECT_EQ(reply["title"], "Climbing");
  EXPECT_EQ(reply["roles"]["alice"], "owner");
  EXPECT_EQ(reply["roles"]["bob"], "member");
  int system_messages = 0;
  for (const auto& [topic, event] : events) {
    if (event["type"] == "msg") {
      ++system_messages;
      EXPECT_EQ(event["kind"], "system");
      EXPECT_EQ(event["seq"], 1);
      EXPECT_EQ(event["event"]["action"], "group.created");
    }
  }
  EXPECT_EQ(system_messages, 3);  // one per member
}

TEST_P(GroupTest, MemberMayNotAddButOwnerMay) {
  std::string conv = CreateGroup();
  EXPECT_EQ(Last(Run("bob", {{"type", "group.add"}, {"conv", conv}, {"users", {"carol"}}}))["code"],
            "forbidden");
  auto events = Run("alice", {{"type", "group.add"}, {"conv", conv}, {"users", {"carol"}}});
  EXPECT_EQ(Last(events)["members"], json({"alice", "bob", "carol"}));
  bool carol_told = false;
  for (const auto& [topic, event] : events) {
    if (topic == "chat/inbox/carol" && event["type"] == "conv.new") carol_told = true;
  }
  EXPECT_TRUE(carol_told);
}

TEST_P(GroupTest, GroupCannotGrowPastTheLimit) {
  std::string conv = CreateGroup();
  auto events = Run("alice", {{"type", "group.add"}, {"conv", conv}, {"users", {"carol", "dave"}}});
  EXPECT_EQ(Last(events)["code"], "group_full");
}

TEST_P(GroupTest, RemovedMemberGetsItsRemovalAndNothingAfter) {
  std::string conv = CreateGroup();
  auto removal = Run("alice", {{"type", "group.remove"}, {"conv", conv}, {"users", {"bob"}}});
  bool bob_told = false;
  for (const auto& [topic, event] : removal) {
    if (topic == "chat/inbox/bob/" + conv && event["event"]["action"] == "member.removed")
      bob_told = true;
  }
  EXPECT_TRUE(bob_told);
  auto after = Run("alice", {{"type", "send"}, {"conv", conv}, {"cmid", "m1"}, {"body", "secret"}});
  for (const auto& [topic, event] : after) EXPECT_NE(topic, "chat/inbox/bob/" + conv);
  EXPECT_EQ(
      Last(Run("bob", {{"type", "send"}, {"conv", conv}, {"cmid", "x"}, {"body", "hi"}}))["code"],
      "not_member");
  // History stops at the removal (seq 2); the secret (seq 3) is invisible.
  json history = Last(Run("bob", {{"type", "history"}, {"conv", conv}}));
  ASSERT_EQ(history["messages"].size(), 2u);
  EXPECT_EQ(history["messages"].back()["seq"], 2);
}

TEST_P(GroupTest, OwnerLeavingHandsOwnershipOn) {
  std::string conv = CreateGroup();
  auto events = Run("alice", {{"type", "group.leave"}, {"conv", conv}});
  std::vector<std::string> actions;
  for (const auto& [topic, event] : events) {
    if (event["type"] == "msg" && topic == "chat/inbox/bob/" + conv)
      actions.push_back(event["event"]["action"]);
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"member.left", "owner.changed"}));
}

TEST_P(GroupTest, GroupCommandsOnDirectConversationAreNotGroup) {
  auto sent = Run("alice", {{"type", "send"}, {"to", "bob"}, {"cmid", "m"}, {"body", "x"}});
  std::string conv = Last(sent)["conv"];
  EXPECT_EQ(
      Last(Run("alice", {{"type", "group.add"}, {"conv", conv}, {"users", {"carol"}}}))["code"],
      "not_group");
}

const json kCreate{
    {"type", "group.create"}, {"req_id", "g1"}, {"title", "T"}, {"members", {"bob"}}};

TEST_P(GroupTest, ResentCreateWithTheSameReqIdCreatesNothingAndAnswersDup) {
  json first = Last(Run("alice", kCreate));
  Events again = Run("alice", kCreate);
  ASSERT_EQ(again.size(), 1u);  // the reply only: no conv.new, no system message
  EXPECT_EQ(again[0].first, "chat/dev/alice/d");
  EXPECT_EQ(again[0].second["conv"], first["conv"]);
  EXPECT_EQ(again[0].second["created"], true);
  EXPECT_EQ(again[0].second["dup"], true);
  EXPECT_EQ(first["dup"], false);
  EXPECT_EQ(Count("conversations"), 1);
  EXPECT_EQ(Count("messages"), 1);
}

TEST_P(GroupTest, ResendInsideOneBatchIsAppliedOnce) {
  Events events = Batch({"alice", "d"}, {kCreate, kCreate});
  EXPECT_EQ(Count("conversations"), 1);
  EXPECT_EQ(Last(events)["dup"], true);
}

TEST_P(GroupTest, ResentAddWritesNoSecondSystemMessage) {
  std::string conv = CreateGroup();
  json add{{"type", "group.add"}, {"req_id", "a1"}, {"conv", conv}, {"users", {"carol"}}};
  EXPECT_EQ(Last(Run("alice", add))["dup"], false);
  Events again = Run("alice", add);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(Last(again)["dup"], true);
  EXPECT_EQ(Last(again)["members"], json({"alice", "bob", "carol"}));
  EXPECT_EQ(Count("messages"), 2);  // group.created, member.added
}

TEST_P(GroupTest, ResendIsAnsweredWithTheCurrentStateAndNotReapplied) {
  std::string conv = CreateGroup();
  json add{{"type", "group.add"}, {"req_id", "a1"}, {"conv", conv}, {"users", {"carol"}}};
  Run("alice", add);
  Run("alice", {{"type", "group.remove"}, {"conv", conv}, {"users", {"carol"}}});
  json again = Last(Run("alice", add));
  EXPECT_EQ(again["dup"], true);
  EXPECT_EQ(again["members"], json({"alice", "bob"}));  // carol stays removed
}

TEST_P(GroupTest, ResentLeaveIsADupNotAnError) {
  std::string conv = CreateGroup();
  json leave{{"type", "group.leave"}, {"req_id", "l1"}, {"conv", conv}};
  Run("bob", leave);
  json again = Last(Run("bob", leave));
  EXPECT_EQ(again["type"], "conv");
  EXPECT_EQ(again["dup"], true);
  EXPECT_EQ(again["members"], json({"alice"}));
}

TEST_P(GroupTest, ReqIdIsRememberedPerDevice) {
  Batch({"alice", "phone"}, {kCreate});
  json other = Last(Batch({"alice", "laptop"}, {kCreate}));
  EXPECT_EQ(other["dup"], false);
  EXPECT_EQ(Count("conversations"), 2);
}

TEST_P(GroupTest, ReqIdReusedWithOtherParametersIsANewCommand) {
  json first = Last(Run("alice", kCreate));
  json renamed = kCreate;
  renamed["title"] = "U";
  json second = Last(Run("alice", renamed));
  EXPECT_EQ(second["dup"], false);
  EXPECT_NE(second["conv"], first["conv"]);
  // The req_id now names the second command.
  EXPECT_EQ(Last(Run("alice", renamed))["conv"], second["conv"]);
  EXPECT_EQ(Last(Run("alice", renamed))["dup"], true);
  EXPECT_EQ(Count("conversations"), 2);
}

TEST_P(GroupTest, FailedCommandRunsAgainOnResend) {
  std::string conv = CreateGroup();
  json add{{"type", "group.add"}, {"req_id", "a1"}, {"conv", conv}, {"users", {"carol"}}};
  EXPECT_EQ(Last(Run("bob", add))["code"], "forbidden");
  Run("alice", {{"type", "group.role"}, {"conv", conv}, {"user", "bob"}, {"role", "admin"}});
  json again = Last(Run("bob", add));
  EXPECT_EQ(again["dup"], false);
  EXPECT_EQ(again["members"], json({"alice", "bob", "carol"}));
}

TEST_P(GroupTest, CommandWithoutReqIdIsNotDeduplicated) {
  CreateGroup();
  CreateGroup();
  EXPECT_EQ(Count("conversations"), 2);
  EXPECT_EQ(Count("group_requests"), 0);
}

TEST_P(GroupTest, RememberedRequestsExpireAfterTheRetentionAndArePruned) {
  Run("alice", kCreate);
  db_->Exec("UPDATE group_requests SET created_ms = created_ms - " +
            std::to_string(kGroupRequestRetentionMs + 1000));
  EXPECT_EQ(Last(Run("alice", kCreate))["dup"], false);  // forgotten: a new group
  json other = kCreate;
  other["req_id"] = "g2";
  Run("alice", other);
  EXPECT_EQ(Count("conversations"), 3);
  EXPECT_EQ(Count("group_requests"), 2);  // g1 (renewed) and g2; nothing older
  db_->Exec("UPDATE group_requests SET created_ms = created_ms - " +
            std::to_string(kGroupRequestRetentionMs + 1000) + " WHERE req_id = 'g2'");
  other["req_id"] = "g3";
  Run("alice", other);
  EXPECT_EQ(Count("group_requests"), 2);  // g2 pruned when g3 was remembered
}

TEST_P(GroupTest, ChangeAndItsRememberedRequestCommitTogether) {
  FailInserts("group_requests");
  EXPECT_EQ(Last(Run("alice", kCreate))["code"], "internal");
  EXPECT_EQ(Count("conversations"), 0);  // the group was rolled back with it
  StopFailingInserts("group_requests");
  EXPECT_EQ(Last(Run("alice", kCreate))["dup"], false);
  EXPECT_EQ(Count("conversations"), 1);
}

TEST_P(GroupTest, ReadCursorIsClampedMonotonicAndFannedOut) {
  auto sent = Run("alice", {{"type", "send"}, {"to", "bob"}, {"cmid", "m"}, {"body", "x"}});
  std::string conv = Last(sent)["conv"];
  auto events = Run("bob", {{"type", "read"}, {"conv", conv}, {"seq", 99}});
  ASSERT_EQ(events.size(), 1u);  // alice's devices; bob has no other device
  EXPECT_EQ(events[0].first, "chat/inbox/alice/" + conv);
  EXPECT_EQ(events[0].second["type"], "receipt");
  EXPECT_EQ(events[0].second["read"], 1);  // clamped to the last seq
  EXPECT_TRUE(Run("bob", {{"type", "read"}, {"conv", conv}, {"seq", 0}}).empty());  // no move
  json receipts = Last(Run("alice", {{"type", "receipts"}, {"conv", conv}, {"seq", 1}}));
  EXPECT_EQ(receipts["read"], json({"bob"}));
}

// Users whose inbox or device topics (chat/inbox/{u}/{c}, chat/dev/{u}/{d})
// got an event of `type`.
std::set<std::string> Recipients(const Events& events, const std::string& type) {
  std::set<std::string> users;
  for (const auto& [topic, event] : events) {
    if (event["type"] != type) continue;
    auto start = topic.find('/', std::string("chat/").size()) + 1;
    users.insert(topic.substr(start, topic.find('/', start) - start));
  }
  return users;
}

TEST_P(GroupTest, AReceiptReachesTheReadersOtherDevicesButNotTheOneThatRead) {
  AccountStore accounts(*db_);
  for (const char* device : {"d", "laptop"}) accounts.AddDevice("bob", device, "");  // d reads
  auto sent = Run("alice", {{"type", "send"}, {"to", "bob"}, {"cmid", "m"}, {"body", "x"}});
  std::string conv = Last(sent)["conv"];
  auto events = Run("bob", {{"type", "read"}, {"conv", conv}, {"seq", 1}});
  std::set<std::string> topics;
  for (const auto& [topic, event] : events) topics.insert(topic);
  EXPECT_EQ(topics, (std::set<std::string>{"chat/inbox/alice/" + conv, "chat/dev/bob/laptop"}));
}

TEST_P(GroupTest, AGroupReceiptReachesTheReaderAndTheSendersItCoversNotEveryMember) {
  auto created =
      Run("alice", {{"type", "group.create"}, {"title", "T"}, {"members", {"bob", "carol"}}});
  std::string conv = Last(created)["conv"];
  Run("alice", {{"type", "send"}, {"conv", conv}, {"cmid", "a1"}, {"body", "from alice"}});
  auto read_alices = Run("bob", {{"type", "read"}, {"conv", conv}, {"seq", 2}});
  EXPECT_EQ(Recipients(read_alices, "receipt"), (std::set<std::string>{"alice"}));

  Run("carol", {{"type", "send"}, {"conv", conv}, {"cmid", "c1"}, {"body", "from carol"}});
  auto read_carols = Run("bob", {{"type", "read"}, {"conv", conv}, {"seq", 3}});
  EXPECT_EQ(Recipients(read_carols, "receipt"), (std::set<std::string>{"carol"}));
  // Anyone may still ask for everyone's state.
  json who = Last(Run("carol", {{"type", "receipts"}, {"conv", conv}, {"seq", 2}}));
  EXPECT_EQ(who["read"], json({"bob"}));
}

TEST_P(GroupTest, AReceiptIsNotSentToASenderWhoHasLeft) {
  auto created =
      Run("alice", {{"type", "group.create"}, {"title", "T"}, {"members", {"bob", "carol"}}});
  std::string conv = Last(created)["conv"];
  Run("carol", {{"type", "send"}, {"conv", conv}, {"cmid", "c1"}, {"body", "bye"}});
  Run("carol", {{"type", "group.leave"}, {"conv", conv}});
  auto read = Run("bob", {{"type", "read"}, {"conv", conv}, {"seq", 3}});
  EXPECT_EQ(Recipients(read, "receipt"), (std::set<std::string>{"alice"}));
}

TEST_P(GroupTest, SyncPagesEverythingAfterTheCursorsWithoutGaps) {
  std::string conv;
  for (int i = 0; i < 25; ++i) {
    auto sent =
        Run("alice",
            {{"type", "send"}, {"to", "bob"}, {"cmid", "m" + std::to_string(i)}, {"body", "x"}});
    conv = Last(sent)["conv"];
  }
  json cursors = json::object();
  std::vector<int64_t> seqs;
  for (int page = 0; page < 10; ++page) {
    json reply = Last(Run("bob", {{"type", "sync"}, {"cursors", cursors}, {"limit", 10}}));
    ASSERT_EQ(reply["type"], "sync");
    EXPECT_EQ(reply["convs"][0]["unread"], 25);
    for (const auto& m : reply["messages"]) seqs.push_back(m["seq"]);
    cursors = reply["cursors"];
    if (!reply["more"].get<bool>()) break;
  }
  ASSERT_EQ(seqs.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(seqs[i], i + 1);
  EXPECT_EQ(cursors[conv], 25);
}

TEST_P(GroupTest, NonMemberCannotReadHistory) {
  auto sent = Run("alice", {{"type", "send"}, {"to", "bob"}, {"cmid", "m"}, {"body", "x"}});
  std::string conv = Last(sent)["conv"];
  EXPECT_EQ(Last(Run("carol", {{"type", "history"}, {"conv", conv}}))["code"], "not_member");
  json sync = Last(Run("carol", {{"type", "sync"}}));
  EXPECT_TRUE(sync["convs"].empty());
  EXPECT_TRUE(sync["messages"].empty());
}

}  // namespace
}  // namespace chat
