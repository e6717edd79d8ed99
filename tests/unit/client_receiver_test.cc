// Specification of the receive path: what each backend event does to the
// outbox, the waits, the order of messages and sync.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "receiver.h"
#include "state_file.h"

namespace chat::client {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using Clock = Receiver::Clock;

std::string MsgJson(const std::string& conv, int64_t seq, const std::string& type = "msg",
                    const std::string& from = "bob", const std::string& dev = "pc",
                    const std::string& cmid = "") {
  json j{{"type", type},
         {"conv", conv},
         {"seq", seq},
         {"ts", 1},
         {"from", from},
         {"dev", dev},
         {"cmid", cmid.empty() ? "x" + std::to_string(seq) : cmid},
         {"body", "b"}};
  return j.dump();
}

class ReceiverTest : public testing::Test {
 protected:
  explicit ReceiverTest(std::size_t capacity = 100, std::map<std::string, int64_t> cursors = {})
      : events_(capacity),
        outbox_(OpenStateFile("", "alice:phone"), {}, [this](const std::string& p) {
          sends_.push_back(p);
          return Status::Ok();
        }) {
    receiver_ = std::make_unique<Receiver>(
        ReceiverOptions{"alice", "phone", 1000, {}}, std::move(cursors), outbox_, pending_, events_,
        [this](const std::string& p) {
          published_.push_back(json::parse(p));
          return Status::Ok();
        },
        [] { return 1.0; });
    outbox_.SetOnline(true, now_);
  }

  void Receive(const std::string& payload) { receiver_->OnEvent(ParseEvent(payload), now_); }

  // Connects and answers nothing yet: returns the req_id of the sync sent.
  std::string StartSync() {
    receiver_->Poll(now_);
    EXPECT_FALSE(published_.empty());
    if (published_.empty()) return "";
    EXPECT_EQ(published_.back()["type"], "sync");
    return published_.back()["req_id"];
  }

  std::string SyncReply(const std::string& req_id, std::vector<std::string> messages,
                        std::map<std::string, int64_t> cursors, bool more,
                        const std::string& convs = "[]") {
    std::string list;
    for (const auto& m : messages) list += (list.empty() ? "" : ",") + m;
    return R"({"type":"sync","req_id":")" + req_id + R"(","more":)" + (more ? "true" : "false") +
           R"(,"convs":)" + convs + R"(,"messages":[)" + list + R"(],"cursors":)" +
           json(cursors).dump() + "}";
  }

  // Events queued for the app, drained.
  // An `error` with `code` and retry_after_ms holds the outbox that long and
  // reaches the app.
  void ExpectHoldFor(const std::string& code, int64_t retry_after_ms) {
    outbox_.Add({"bob", "", "hi", "m1", {}}, 1, now_);
    Receive(R"({"type":"error","code":")" + code + R"(","message":"not now","retry_after_ms":)" +
            std::to_string(retry_after_ms) + "}");
    EXPECT_EQ(outbox_.size(), 1u);
    EXPECT_EQ(outbox_.NextDeadline(), now_ + milliseconds(retry_after_ms));
    auto taken = Taken();
    ASSERT_EQ(taken.size(), 1u);
    EXPECT_EQ(taken[0].code, code);
    EXPECT_EQ(taken[0].retry_after_ms, retry_after_ms);
  }

  std::vector<Event> Taken() {
    std::vector<Event> out;
    while (auto e = events_.Pop(milliseconds(0))) out.push_back(std::move(*e));
    return out;
  }
  std::vector<int64_t> TakenSeqs() {
    std::vector<int64_t> out;
    for (const auto& e : Taken()) {
      if (e.IsSequenced()) out.push_back(e.seq);
    }
    return out;
  }

  Clock::time_point now_ = Clock::now();
  EventQueue events_;
  PendingReplies pending_;
  std::vector<std::string> sends_;
  std::vector<json> published_;
  OutboxSender outbox_;
  std::unique_ptr<Receiver> receiver_;
};

using Seqs = std::vector<int64_t>;

TEST_F(ReceiverTest, AcceptedFromThisDeviceSettlesTheOutboxAndAnswersTheWait) {
  outbox_.Add({"bob", "", "hi", "m1", {}}, 1, now_);
  pending_.ExpectAcceptance("m1", "");
  Receive(MsgJson("c1", 1, "accepted", "alice", "phone", "m1"));
  EXPECT_EQ(outbox_.size(), 0u);
  EXPECT_TRUE(pending_.WaitForAcceptance("m1", milliseconds(0)));
}

TEST_F(ReceiverTest, TheLeanAcceptedGetsItsBodyFromTheOutbox) {
  outbox_.Add({"bob", "", "hi Bob", "m1", {}}, 1, now_);
  Receive(R"({"type":"accepted","conv":"c1","seq":1,"ts":5,"cmid":"m1"})");
  EXPECT_EQ(outbox_.size(), 0u);
  std::optional<Event> taken = events_.Pop(milliseconds(0));
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->type, "accepted");
  EXPECT_EQ(taken->body, "hi Bob");
  EXPECT_EQ(taken->from, "alice");
  EXPECT_EQ(taken->dev, "phone");
}

TEST_F(ReceiverTest, AnAcceptedWithoutConvGetsItFromTheOutbox) {
  outbox_.Add({"", "c9", "hi group", "m1", {}}, 1, now_);
  Receive(R"({"type":"accepted","seq":1,"ts":5,"cmid":"m1"})");
  EXPECT_EQ(outbox_.size(), 0u);
  std::optional<Event> taken = events_.Pop(milliseconds(0));
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->type, "accepted");
  EXPECT_EQ(taken->conv, "c9");
  EXPECT_EQ(taken->seq, 1);
  EXPECT_EQ(taken->body, "hi group");
}

TEST_F(ReceiverTest, AnAcceptedOfNoOutboxEntryAndNoConvIsNotSequenced) {
  Receive(R"({"type":"accepted","seq":4,"ts":5,"cmid":"gone","dup":true})");
  EXPECT_FALSE(events_.Pop(milliseconds(0)));  // its message comes again by sync
}

TEST_F(ReceiverTest, AMessageSentByAnotherDeviceOfTheUserIsAcceptedAndLeavesTheOutboxAlone) {
  outbox_.Add({"bob", "", "hi", "m1", {}}, 1, now_);
  Receive(MsgJson("c1", 1, "msg", "alice", "laptop", "m1"));
  EXPECT_EQ(outbox_.size(), 1u);
  std::optional<Event> taken = events_.Pop(milliseconds(0));
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->type, "accepted");  // still a message of the conversation
  EXPECT_EQ(taken->seq, 1);
}

TEST_F(ReceiverTest, AnOwnMessageThatSyncBringsFirstIsItsAcceptance) {
  outbox_.Add({"bob", "", "hi", "m1", {}}, 1, now_);
  pending_.ExpectAcceptance("m1", "");
  receiver_->OnConnected();
  std::string req = StartSync();
  Receive(SyncReply(req, {MsgJson("c1", 1, "msg", "alice", "phone", "m1")}, {{"c1", 1}}, false));
  EXPECT_EQ(outbox_.size(), 0u);
  auto answer = pending_.WaitForAcceptance("m1", milliseconds(0));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->type, "accepted");
  Receive(MsgJson("c1", 1, "accepted", "alice", "phone", "m1"));  // the live one, later
  auto taken = Taken();
  ASSERT_EQ(taken.size(), 2u);  // the message once, then the end of the sync round
  EXPECT_EQ(taken[0].type, "accepted");
  EXPECT_EQ(taken[0].cmid, "m1");
}

TEST_F(ReceiverTest, AMessageOfAnotherDeviceOfTheUserComesBySyncAsAccepted) {
  outbox_.Add({"bob", "", "hi", "m1", {}}, 1, now_);
  receiver_->OnConnected();
  std::string req = StartSync();
  Receive(SyncReply(req, {MsgJson("c1", 1, "msg", "alice", "laptop", "m1"), MsgJson("c1", 2)},
                    {{"c1", 2}}, false));
  EXPECT_EQ(outbox_.size(), 1u);  // the same cmid from the laptop is not this device's send
  auto taken = Taken();
  ASSERT_EQ(taken.size(), 3u);
  EXPECT_EQ(taken[0].type, "accepted");  // as it arrives live on every device of the user
  EXPECT_EQ(taken[1].type, "msg");
}

TEST_F(ReceiverTest, ANonRetryableErrorSettlesTheSend) {
  outbox_.Add({"bobby", "", "hi", "m1", {}}, 1, now_);
  pending_.ExpectAcceptance("m1", "");
  Receive(R"({"type":"error","code":"unknown_user","message":"no","cmid":"m1"})");
  EXPECT_EQ(outbox_.size(), 0u);
  EXPECT_EQ(pending_.WaitForAcceptance("m1", milliseconds(0))->code, "unknown_user");
}

TEST_F(ReceiverTest, AnInternalErrorKeepsTheSendForAResendAndAnswersNoWait) {
  outbox_.Add({"bob", "", "hi", "m1", {}}, 1, now_);
  pending_.ExpectAcceptance("m1", "");
  Receive(R"({"type":"error","code":"internal","message":"retry","cmid":"m1"})");
  EXPECT_EQ(outbox_.size(), 1u);
  EXPECT_FALSE(pending_.WaitForAcceptance("m1", milliseconds(0)));
  auto taken = Taken();
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].code, "internal");  // the app may show it
}

TEST_F(ReceiverTest, PayloadTooLargeWithoutIdsSettlesTheOnlySendInFlight) {
  outbox_.Add({"bob", "", "huge", "m1", {}}, 1, now_);
  pending_.ExpectAcceptance("m1", "");
  Receive(R"({"type":"error","code":"payload_too_large","message":"too big"})");
  EXPECT_EQ(outbox_.size(), 0u);
  EXPECT_EQ(pending_.WaitForAcceptance("m1", milliseconds(0))->code, "payload_too_large");
}

TEST_F(ReceiverTest, AnIdlessErrorOfAnotherKindSettlesNothing) {
  outbox_.Add({"bob", "", "hi", "m1", {}}, 1, now_);
  Receive(R"({"type":"error","code":"not_member","message":"a read marker"})");
  EXPECT_EQ(outbox_.size(), 1u);
}

TEST_F(ReceiverTest, AMessageDeliveredTwiceReachesTheAppOnce) {
  Receive(MsgJson("c1", 1));
  Receive(MsgJson("c1", 1));
  Receive(MsgJson("c1", 2));
  EXPECT_EQ(TakenSeqs(), (Seqs{1, 2}));
}

TEST_F(ReceiverTest, AGapHoldsLaterMessagesAndSyncsWithTheCurrentCursors) {
  Receive(MsgJson("c1", 1));
  Receive(MsgJson("c1", 2));
  receiver_->OnConnected();
  std::string first = StartSync();
  receiver_->OnEvent(ParseEvent(SyncReply(first, {}, {{"c1", 2}}, false)), now_);
  Receive(MsgJson("c1", 5));
  EXPECT_EQ(TakenSeqs(), (Seqs{1, 2}));
  std::string req = StartSync();
  EXPECT_EQ(published_.back()["cursors"], json({{"c1", 2}}));
  EXPECT_EQ(published_.back()["limit"], 1000);
  Receive(
      SyncReply(req, {MsgJson("c1", 3), MsgJson("c1", 4), MsgJson("c1", 5)}, {{"c1", 5}}, false));
  EXPECT_EQ(TakenSeqs(), (Seqs{3, 4, 5}));
}

TEST_F(ReceiverTest, AHeadBeyondTheCursorSyncsTheShedCopiesAndIsNotShownToTheApp) {
  Receive(MsgJson("c1", 1));
  receiver_->OnConnected();
  std::string first = StartSync();
  Receive(SyncReply(first, {}, {{"c1", 1}}, false));
  Taken();
  std::size_t sent = published_.size();
  Receive(R"({"type":"head","conv":"c1","seq":1})");  // nothing missed
  receiver_->Poll(now_);
  EXPECT_EQ(published_.size(), sent);
  Receive(R"({"type":"head","conv":"c1","seq":3})");  // seqs 2 and 3 were shed
  std::string req = StartSync();
  EXPECT_EQ(published_.back()["cursors"], json({{"c1", 1}}));
  Receive(SyncReply(req, {MsgJson("c1", 2), MsgJson("c1", 3)}, {{"c1", 3}}, false));
  auto taken = Taken();
  ASSERT_EQ(taken.size(), 3u);  // 2, 3 and the local end of the round: no `head`
  EXPECT_EQ(taken[0].seq, 2);
  EXPECT_EQ(taken[1].seq, 3);
  EXPECT_EQ(taken[2].type, "sync");
}

TEST_F(ReceiverTest, AHeadOfAConversationNeverSeenSyncs) {
  receiver_->OnConnected();
  Receive(SyncReply(StartSync(), {}, {}, false));
  Receive(R"({"type":"head","conv":"c9","seq":4})");
  StartSync();
  EXPECT_EQ(published_.back()["type"], "sync");
}

TEST_F(ReceiverTest, PagesAreFetchedUntilMoreIsFalseThenTheListIsAnnounced) {
  receiver_->OnConnected();
  std::string req = StartSync();
  EXPECT_EQ(published_.back()["cursors"], json::object());  // a new device knows nothing
  Receive(SyncReply(req, {MsgJson("c1", 1), MsgJson("c1", 2)}, {{"c1", 2}}, true));
  std::string next = StartSync();
  EXPECT_EQ(published_.back()["cursors"], json({{"c1", 2}}));
  std::string convs =
      R"([{"conv":"c1","kind":"direct","members":["alice","bob"],"last_seq":3,"read_seq":0,)"
      R"("unread":3,"active":true}])";
  Receive(SyncReply(next, {MsgJson("c1", 3)}, {{"c1", 3}}, false, convs));
  auto taken = Taken();
  ASSERT_EQ(taken.size(), 4u);
  EXPECT_EQ(taken[2].seq, 3);
  EXPECT_EQ(taken[3].type, "sync");
  EXPECT_TRUE(taken[3].raw.empty());  // local
  ASSERT_EQ(taken[3].convs.size(), 1u);
  EXPECT_EQ(taken[3].convs[0].unread, 3);
  EXPECT_EQ(receiver_->Conversations().size(), 1u);
  receiver_->Poll(now_);
  EXPECT_EQ(published_.size(), 2u);  // the round is over
}

TEST_F(ReceiverTest, SyncRepliesAreNotRepeatedToTheApp) {
  receiver_->OnConnected();
  std::string req = StartSync();
  Receive(SyncReply(req, {}, {}, false));
  auto taken = Taken();
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_TRUE(taken[0].raw.empty());
}

TEST_F(ReceiverTest, AFailedSyncIsALocalEventAndIsRetried) {
  receiver_->OnConnected();
  std::string req = StartSync();
  Receive(R"({"type":"error","req_id":")" + req + R"(","code":"internal","message":"x"})");
  auto taken = Taken();
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].type, "sync.failed");
  EXPECT_EQ(taken[0].code, "internal");
  now_ += milliseconds(1000);
  receiver_->Poll(now_);
  EXPECT_EQ(published_.size(), 2u);
}

TEST_F(ReceiverTest, WithoutServerSyncAConversationStartsAtItsFirstLiveMessage) {
  receiver_->OnConnected();
  std::string req = StartSync();
  Receive(MsgJson("c9", 4));
  Receive(R"({"type":"error","req_id":")" + req + R"(","code":"unknown_type","message":"x"})");
  Receive(MsgJson("c9", 5));
  Receive(MsgJson("c8", 2));
  EXPECT_EQ(TakenSeqs(), (Seqs{4, 5, 2}));
}

TEST_F(ReceiverTest, HistoryRepliesBypassOrderingAndDedupe) {
  Receive(MsgJson("c1", 1));
  Receive(MsgJson("c1", 2));
  Taken();
  pending_.ExpectReply("h1");
  Receive(R"({"type":"history","req_id":"h1","conv":"c1","more":false,"messages":[)" +
          MsgJson("c1", 1) + "," + MsgJson("c1", 2) + "]}");
  auto reply = pending_.WaitForReply("h1", milliseconds(0));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->messages.size(), 2u);
  EXPECT_EQ(receiver_->sequencer().Cursor("c1"), 2);
}

TEST_F(ReceiverTest, ReceiptsAndTypingReachTheAppAsTheyCame) {
  Receive(R"({"type":"receipt","conv":"c1","user":"bob","delivered":4,"read":2})");
  Receive(R"({"type":"typing","conv":"c1","user":"bob","dev":"pc"})");
  auto taken = Taken();
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0].delivered, 4);
  EXPECT_EQ(taken[1].type, "typing");
}

class SmallQueueReceiverTest : public ReceiverTest {
 protected:
  SmallQueueReceiverTest() : ReceiverTest(4) {}
};

TEST_F(ReceiverTest, UnavailableHoldsTheOutboxForRetryAfterAndReachesTheApp) {
  ExpectHoldFor("unavailable", 1000);
}

TEST_F(ReceiverTest, RateLimitedHoldsTheOutboxForRetryAfterAndReachesTheApp) {
  ExpectHoldFor("rate_limited", 1500);
}

TEST_F(ReceiverTest, ReadyResendsTheOutboxAndAnUnansweredSyncAtOnce) {
  outbox_.Add({"bob", "", "hi", "m1", {}}, 1, now_);
  receiver_->OnConnected();
  std::string lost = StartSync();
  Receive(R"({"type":"error","code":"unavailable","message":"away","retry_after_ms":1000})");
  sends_.clear();
  Receive(R"({"type":"ready"})");
  EXPECT_EQ(sends_.size(), 1u);  // m1 again, not after the hold
  receiver_->Poll(now_);
  ASSERT_EQ(published_.back()["type"], "sync");
  EXPECT_NE(published_.back()["req_id"], lost);
  auto taken = Taken();
  ASSERT_FALSE(taken.empty());
  EXPECT_EQ(taken.back().type, "ready");
}

TEST_F(SmallQueueReceiverTest, ASlowAppMakesLiveMessagesWaitForSyncNotVanish) {
  receiver_->OnConnected();
  Receive(SyncReply(StartSync(), {}, {{"c1", 0}}, false));
  Taken();
  for (int64_t seq = 1; seq <= 6; ++seq) Receive(MsgJson("c1", seq));  // 5 and 6: no room
  receiver_->Poll(now_);
  EXPECT_EQ(published_.size(), 1u);  // no sync while the app is behind
  EXPECT_EQ(TakenSeqs(), (Seqs{1, 2, 3, 4}));
  std::string req = StartSync();
  EXPECT_EQ(published_.back()["cursors"], json({{"c1", 4}}));
  Receive(SyncReply(req, {MsgJson("c1", 5), MsgJson("c1", 6)}, {{"c1", 6}}, false));
  EXPECT_EQ(TakenSeqs(), (Seqs{5, 6}));
}

class RestartedReceiverTest : public ReceiverTest {
 protected:
  RestartedReceiverTest() : ReceiverTest(100, {{"c1", 7}}) {}
};

TEST_F(RestartedReceiverTest, SyncStartsFromThePersistedCursorsAndSkipsWhatWasShown) {
  receiver_->OnConnected();
  std::string req = StartSync();
  EXPECT_EQ(published_.back()["cursors"], json({{"c1", 7}}));
  Receive(MsgJson("c1", 7));  // the broker redelivers an old one
  Receive(SyncReply(req, {MsgJson("c1", 8)}, {{"c1", 8}}, false));
  EXPECT_EQ(TakenSeqs(), Seqs{8});
}

}  // namespace
}  // namespace chat::client
