// The engine handles themselves, on SQLite and on PostgreSQL alike: writes
// whose outcome is not waited for (Statement::RunDeferred).
#include "chat/database.h"

#include <gtest/gtest.h>

#include "engine_fixture.h"

namespace chat {
namespace {

class DatabaseTest : public EngineFixture {
 protected:
  void SetUp() override {
    OpenFreshDatabase();
    if (!db_) return;  // skipped
    db_->Exec("CREATE TABLE pairs (k TEXT PRIMARY KEY, v BIGINT NOT NULL)");
  }
  void TearDown() override { CloseDatabase(); }

  void Put(const std::string& key, int64_t value) {
    auto insert = db_->Cached("INSERT INTO pairs (k, v) VALUES (?1, ?2)");
    insert->Bind(1, key).Bind(2, value);
    insert->RunDeferred();
  }
  int64_t Count() {
    auto count = db_->Cached("SELECT count(*) FROM pairs");
    count->Step();
    return count->Int(0);
  }
};
INSTANTIATE_ON_BOTH_ENGINES(DatabaseTest);

TEST_P(DatabaseTest, DeferredWritesAreSeenByLaterReadsInOrderAndCommitted) {
  {
    Transaction txn(*db_);
    for (int i = 0; i < 100; ++i) Put("k" + std::to_string(i), i);
    auto update = db_->Cached("UPDATE pairs SET v = v + 1000 WHERE k = ?1");
    update->Bind(1, "k7");
    update->RunDeferred();  // after the insert it follows
    EXPECT_EQ(Count(), 100);
    Put("k100", 100);
    txn.Commit();
  }
  EXPECT_EQ(Count(), 101);
  auto read = db_->Cached("SELECT v FROM pairs WHERE k = ?1");
  read->Bind(1, "k7");
  ASSERT_EQ(read->Step(), Statement::StepResult::kRow);
  EXPECT_EQ(read->Int(0), 1007);
}

// SQLite runs a deferred write at once and throws there; PostgreSQL throws
// at the latest when the transaction next waits for an answer.
TEST_P(DatabaseTest, ADeferredViolationFailsTheTransactionAndNothingOfItIsKept) {
  {
    Transaction txn(*db_);
    EXPECT_THROW(
        {
          Put("a", 1);
          Put("a", 2);  // the same key
          Put("b", 3);
          txn.Commit();
        },
        StoreFailure);
  }
  EXPECT_EQ(Count(), 0);

  // The connection stays usable, and statements first sent in the failed
  // pipeline (prepared on the server or not) work after it.
  {
    Transaction txn(*db_);
    Put("a", 1);
    Put("b", 2);
    txn.Commit();
  }
  EXPECT_EQ(Count(), 2);
}

TEST_P(DatabaseTest, ADeferredViolationIsThrownByTheNextReadNotLater) {
  Transaction txn(*db_);
  EXPECT_THROW(
      {
        Put("a", 1);
        Put("a", 2);
        Count();
      },
      StoreFailure);
}

TEST_P(DatabaseTest, ARolledBackTransactionSendsNothingItDeferred) {
  {
    Transaction txn(*db_);
    Put("a", 1);
    try {
      Put("a", 2);  // on PostgreSQL: would fail, but is never sent
      EXPECT_TRUE(OnPostgres());
    } catch (const StoreFailure&) {
      EXPECT_FALSE(OnPostgres());
    }
  }
  EXPECT_EQ(Count(), 0);
  EXPECT_FALSE(db_->InTransaction());
}

TEST_P(DatabaseTest, OutsideATransactionADeferredWriteRunsAtOnce) {
  Put("a", 1);
  EXPECT_FALSE(db_->InTransaction());
  EXPECT_EQ(Count(), 1);
  EXPECT_THROW(Put("a", 2), StoreFailure);
  EXPECT_EQ(Count(), 1);
}

TEST_P(DatabaseTest, ChangesCountsADeferredWrite) {
  Transaction txn(*db_);
  Put("a", 1);
  Put("b", 2);
  auto update = db_->Cached("UPDATE pairs SET v = 0");
  update->RunDeferred();
  EXPECT_EQ(db_->Changes(), 2);
  txn.Commit();
}

}  // namespace
}  // namespace chat
