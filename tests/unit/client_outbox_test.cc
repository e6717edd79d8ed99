// Specification of the durable outbox: stored before published, kept until
// answered, resent in order with the same cmid, surviving a restart.
#include <gtest/gtest.h>

#include "client_state_dir.h"
#include "cursor_store.h"
#include "outbox_sender.h"
#include "state_file.h"

namespace chat::client {
namespace {

using std::chrono::milliseconds;
using Clock = OutboxSender::Clock;
using testing::StateDir;

SendRequest Request(const std::string& cmid, const std::string& body) {
  return {"bob", "", body, cmid, {}};
}

// Records every publish; fails them while `offline`.
struct PublishLog {
  std::vector<std::string> payloads;
  bool offline = false;
  OutboxSender::PublishFn Fn() {
    return [this](const std::string& payload) {
      if (offline) return Status::Error(Status::Code::kNotConnected, "offline");
      payloads.push_back(payload);
      return Status::Ok();
    };
  }
  std::vector<std::string> Cmids() const {
    std::vector<std::string> out;
    for (const auto& p : payloads) {
      auto at = p.find(R"("cmid":")") + 8;
      out.push_back(p.substr(at, p.find('"', at) - at));
    }
    return out;
  }
};

using Cmids = std::vector<std::string>;

TEST(StateFile, RecordsItsOwnerAndRefusesAnother) {
  StateDir dir;
  OpenStateFile(dir.path(), "alice:phone");
  EXPECT_NO_THROW(OpenStateFile(dir.path(), "alice:phone"));
  EXPECT_THROW(OpenStateFile(dir.path(), "bob:phone"), StoreFailure);
}

TEST(StateFile, RefusesAFileFromANewerLibrary) {
  StateDir dir;
  {
    Database db = OpenStateFile(dir.path(), "alice:phone");
    db.Exec("PRAGMA user_version = 99");
  }
  EXPECT_THROW(OpenStateFile(dir.path(), "alice:phone"), StoreFailure);
}

TEST(Outbox, KeepsEntriesInCreationOrderAcrossReopen) {
  StateDir dir;
  {
    Database db = OpenStateFile(dir.path(), "alice:phone");
    Outbox outbox(db);
    for (const char* cmid : {"m1", "m2", "m3"}) {
      OutboxEntry e{0, cmid, "", "bob", std::string("body ") + cmid, "", 5};
      EXPECT_EQ(outbox.Add(e), Outbox::Added::kAdded);
    }
  }
  Database db = OpenStateFile(dir.path(), "alice:phone");
  auto entries = Outbox(db).LoadAll();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].cmid, "m1");
  EXPECT_EQ(entries[2].cmid, "m3");
  EXPECT_EQ(entries[1].body, "body m2");
  EXPECT_EQ(entries[1].to, "bob");
  EXPECT_EQ(entries[1].created_ms, 5);
}

TEST(Outbox, OneCmidIsNeverStoredTwice) {
  Database db = OpenStateFile("", "alice:phone");
  Outbox outbox(db);
  OutboxEntry e{0, "m1", "c1", "", "hi", "", 1};
  EXPECT_EQ(outbox.Add(e), Outbox::Added::kAdded);
  EXPECT_EQ(outbox.Add(e), Outbox::Added::kAlreadyThere);
  EXPECT_EQ(outbox.LoadAll().size(), 1u);
}

TEST(Outbox, RemoveSaysWhetherTheEntryWasThere) {
  Database db = OpenStateFile("", "alice:phone");
  Outbox outbox(db);
  OutboxEntry e{0, "m1", "c1", "", "hi", "r1", 1};
  outbox.Add(e);
  EXPECT_TRUE(outbox.Remove("m1"));
  EXPECT_FALSE(outbox.Remove("m1"));
  EXPECT_TRUE(outbox.LoadAll().empty());
}

TEST(OutboxSender, StoresBeforePublishing) {
  StateDir dir;
  std::size_t stored_at_publish = 0;
  OutboxSender sender(OpenStateFile(dir.path(), "alice:phone"), {}, [&](const std::string&) {
    Database check = OpenStateFile(dir.path(), "alice:phone");  // another connection: on disk?
    stored_at_publish = Outbox(check).LoadAll().size();
    return Status::Ok();
  });
  sender.SetOnline(true, Clock::now());
  sender.Add(Request("m1", "hi"), 1, Clock::now());
  EXPECT_EQ(stored_at_publish, 1u);
}

TEST(OutboxSender, OfflineSendsWaitAndGoOutInOrderOnConnect) {
  PublishLog log;
  OutboxSender sender(OpenStateFile("", "alice:phone"), {}, log.Fn());
  auto now = Clock::now();
  for (const char* cmid : {"m1", "m2", "m3"}) sender.Add(Request(cmid, "x"), 1, now);
  EXPECT_TRUE(log.payloads.empty());
  sender.SetOnline(true, now);
  EXPECT_EQ(log.Cmids(), (Cmids{"m1", "m2", "m3"}));
  EXPECT_EQ(log.payloads[0], R"({"type":"send","to":"bob","cmid":"m1","body":"x"})");
}

TEST(OutboxSender, OnlineSendsArePublishedAtOnce) {
  PublishLog log;
  OutboxSender sender(OpenStateFile("", "alice:phone"), {}, log.Fn());
  sender.SetOnline(true, Clock::now());
  sender.Add(Request("m1", "x"), 1, Clock::now());
  EXPECT_EQ(log.Cmids(), Cmids{"m1"});
}

TEST(OutboxSender, TheSameCmidTwiceIsOneEntryAndOnePublish) {
  PublishLog log;
  OutboxSender sender(OpenStateFile("", "alice:phone"), {}, log.Fn());
  sender.SetOnline(true, Clock::now());
  EXPECT_EQ(sender.Add(Request("m1", "x"), 1, Clock::now()), Outbox::Added::kAdded);
  EXPECT_EQ(sender.Add(Request("m1", "x"), 1, Clock::now()), Outbox::Added::kAlreadyThere);
  EXPECT_EQ(sender.size(), 1u);
  EXPECT_EQ(log.payloads.size(), 1u);
}

TEST(OutboxSender, OnlySettleRemovesAnEntry) {
  PublishLog log;
  OutboxSender sender(OpenStateFile("", "alice:phone"), {milliseconds(1000), 100}, log.Fn());
  auto now = Clock::now();
  sender.SetOnline(true, now);
  sender.Add(Request("m1", "x"), 1, now);
  sender.SetOnline(false, now);
  sender.SetOnline(true, now);
  sender.Pump(now + milliseconds(5000));
  EXPECT_EQ(sender.size(), 1u);
  EXPECT_TRUE(sender.Settle("m1", now).has_value());
  EXPECT_FALSE(sender.Settle("m1", now).has_value());
  EXPECT_EQ(sender.size(), 0u);
}

TEST(OutboxSender, AnUnansweredSendIsPublishedAgainAfterTheTimeoutWithTheSameCmid) {
  PublishLog log;
  OutboxSender sender(OpenStateFile("", "alice:phone"), {milliseconds(1000), 100}, log.Fn());
  auto t0 = Clock::now();
  sender.SetOnline(true, t0);
  sender.Add(Request("m1", "x"), 1, t0);
  sender.Pump(t0 + milliseconds(999));
  EXPECT_EQ(log.payloads.size(), 1u);
  EXPECT_EQ(*sender.NextDeadline(), t0 + milliseconds(1000));
  sender.Pump(t0 + milliseconds(1000));
  EXPECT_EQ(log.Cmids(), (Cmids{"m1", "m1"}));
  EXPECT_EQ(log.payloads[0], log.payloads[1]);
}

TEST(OutboxSender, AReconnectResendsEverythingFromTheFirstInOrder) {
  PublishLog log;
  OutboxSender sender(OpenStateFile("", "alice:phone"), {}, log.Fn());
  auto now = Clock::now();
  sender.SetOnline(true, now);
  for (const char* cmid : {"m1", "m2", "m3"}) sender.Add(Request(cmid, "x"), 1, now);
  sender.Settle("m2", now);
  sender.SetOnline(false, now);
  log.payloads.clear();
  sender.SetOnline(true, now);
  EXPECT_EQ(log.Cmids(), (Cmids{"m1", "m3"}));
}

TEST(OutboxSender, TheWindowLimitsSendsInFlightAndSettlingMakesRoom) {
  PublishLog log;
  OutboxSender sender(OpenStateFile("", "alice:phone"), {milliseconds(10000), 2}, log.Fn());
  auto now = Clock::now();
  for (const char* cmid : {"m1", "m2", "m3", "m4"}) sender.Add(Request(cmid, "x"), 1, now);
  sender.SetOnline(true, now);
  EXPECT_EQ(log.Cmids(), (Cmids{"m1", "m2"}));
  sender.Settle("m1", now);
  EXPECT_EQ(log.Cmids(), (Cmids{"m1", "m2", "m3"}));
}

TEST(OutboxSender, AFailedPublishIsRetriedByTheNextPump) {
  PublishLog log;
  OutboxSender sender(OpenStateFile("", "alice:phone"), {}, log.Fn());
  auto now = Clock::now();
  sender.SetOnline(true, now);
  log.offline = true;
  sender.Add(Request("m1", "x"), 1, now);
  sender.Add(Request("m2", "x"), 1, now);
  log.offline = false;
  sender.Pump(now);
  EXPECT_EQ(log.Cmids(), (Cmids{"m1", "m2"}));
}

TEST(OutboxSender, PendingEntriesSurviveARestartAndAreResentInOrder) {
  StateDir dir;
  {
    PublishLog log;
    OutboxSender first(OpenStateFile(dir.path(), "alice:phone"), {}, log.Fn());
    for (const char* cmid : {"m1", "m2", "m3"}) first.Add(Request(cmid, cmid), 1, Clock::now());
    first.SetOnline(true, Clock::now());
    first.Settle("m1", Clock::now());
  }  // the process ends with m2 and m3 unanswered
  PublishLog log;
  OutboxSender second(OpenStateFile(dir.path(), "alice:phone"), {}, log.Fn());
  ASSERT_EQ(second.Pending().size(), 2u);
  EXPECT_EQ(second.Pending()[0].body, "m2");
  second.SetOnline(true, Clock::now());
  EXPECT_EQ(log.Cmids(), (Cmids{"m2", "m3"}));
}

TEST(OutboxSender, UnavailableHoldsEveryEntryForRetryAfterThenResendsAllInOrder) {
  PublishLog log;
  OutboxSender sender(OpenStateFile("", "alice:phone"), {milliseconds(10000), 100}, log.Fn());
  auto t0 = Clock::now();
  sender.SetOnline(true, t0);
  for (const char* cmid : {"m1", "m2"}) sender.Add(Request(cmid, "x"), 1, t0);
  sender.HoldAfterUnavailable(milliseconds(1000), t0);
  sender.Add(Request("m3", "x"), 1, t0);  // waits for the hold too
  EXPECT_EQ(*sender.NextDeadline(), t0 + milliseconds(1000));
  sender.Pump(t0 + milliseconds(999));
  EXPECT_EQ(log.Cmids(), (Cmids{"m1", "m2"}));
  sender.Pump(t0 + milliseconds(1000));
  EXPECT_EQ(log.Cmids(), (Cmids{"m1", "m2", "m1", "m2", "m3"}));
}

TEST(OutboxSender, UnavailablesDuringAHoldDoNotExtendIt) {
  PublishLog log;
  OutboxSender sender(OpenStateFile("", "alice:phone"), {}, log.Fn());
  auto t0 = Clock::now();
  sender.SetOnline(true, t0);
  sender.Add(Request("m1", "x"), 1, t0);
  sender.HoldAfterUnavailable(milliseconds(1000), t0);
  sender.HoldAfterUnavailable(milliseconds(1000), t0 + milliseconds(500));
  EXPECT_EQ(*sender.NextDeadline(), t0 + milliseconds(1000));
}

TEST(OutboxSender, HoldsInARowBackOffUntilAnAcceptance) {
  PublishLog log;
  OutboxSender sender(OpenStateFile("", "alice:phone"), {}, log.Fn(), [] { return 0.999; });
  auto t0 = Clock::now();
  sender.SetOnline(true, t0);
  sender.Add(Request("m1", "x"), 1, t0);
  sender.Add(Request("m2", "x"), 1, t0);
  sender.HoldAfterUnavailable(milliseconds(1000), t0);
  EXPECT_EQ(*sender.NextDeadline(), t0 + milliseconds(1000));
  auto t1 = t0 + milliseconds(1000);
  sender.Pump(t1);
  sender.HoldAfterUnavailable(milliseconds(1000), t1);  // still away
  EXPECT_GT(*sender.NextDeadline(), t1 + milliseconds(1900));
  auto t2 = *sender.NextDeadline();
  sender.Pump(t2);
  sender.Settle("m1", t2);  // chatd answers again
  sender.HoldAfterUnavailable(milliseconds(1000), t2);
  EXPECT_EQ(*sender.NextDeadline(), t2 + milliseconds(1000));
}

TEST(OutboxSender, ReadyEndsAHoldAndResendsEveryEntryAtOnceInOrder) {
  PublishLog log;
  OutboxSender sender(OpenStateFile("", "alice:phone"), {}, log.Fn());
  auto t0 = Clock::now();
  sender.SetOnline(true, t0);
  for (const char* cmid : {"m1", "m2"}) sender.Add(Request(cmid, "x"), 1, t0);
  sender.HoldAfterUnavailable(milliseconds(1000), t0);
  log.payloads.clear();
  sender.ResendNow(t0 + milliseconds(10));
  EXPECT_EQ(log.Cmids(), (Cmids{"m1", "m2"}));
  EXPECT_EQ(*sender.NextDeadline(), t0 + milliseconds(10) + milliseconds(10000));
}

TEST(OutboxSender, ReadyWithoutAHoldResendsWhatIsInFlight) {
  PublishLog log;
  OutboxSender sender(OpenStateFile("", "alice:phone"), {}, log.Fn());
  auto t0 = Clock::now();
  sender.SetOnline(true, t0);
  sender.Add(Request("m1", "x"), 1, t0);
  sender.ResendNow(t0);
  EXPECT_EQ(log.Cmids(), (Cmids{"m1", "m1"}));
}

TEST(OutboxSender, OnlyInFlightNamesTheSingleUnansweredPublishedEntry) {
  PublishLog log;
  OutboxSender sender(OpenStateFile("", "alice:phone"), {}, log.Fn());
  sender.Add(Request("m1", "x"), 1, Clock::now());
  EXPECT_FALSE(sender.OnlyInFlight());  // not published yet
  sender.SetOnline(true, Clock::now());
  EXPECT_EQ(sender.OnlyInFlight(), "m1");
  sender.Add(Request("m2", "x"), 1, Clock::now());
  EXPECT_FALSE(sender.OnlyInFlight());
}

TEST(CursorStore, SavesAndLoadsAndNeverMovesBack) {
  StateDir dir;
  {
    Database db = OpenStateFile(dir.path(), "alice:phone");
    CursorStore store(db);
    store.Save({{"c1", 5}, {"c2", 9}});
    store.Save({{"c1", 3}});
  }
  Database db = OpenStateFile(dir.path(), "alice:phone");
  EXPECT_EQ(CursorStore(db).LoadAll(), (std::map<std::string, int64_t>{{"c1", 5}, {"c2", 9}}));
}

}  // namespace
}  // namespace chat::client
