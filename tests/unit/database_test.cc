// The engine handles themselves, on SQLite and on PostgreSQL alike: writes
// whose outcome is not waited for (Statement::RunDeferred), and reads of
// many keys at once (store/key_lookup.h).
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

// Across chunk sizes and their edges, with repeated and absent keys: every
// stored key's row comes once.
TEST_P(DatabaseTest, ALookupOfManyKeysReturnsEachStoredKeyOnce) {
  for (int i = 0; i < 200; i += 2) Put("k" + std::to_string(i), i);  // the even ones
  for (std::size_t count : {1u, 4u, 5u, 16u, 17u, 64u, 65u, 130u, 200u}) {
    std::vector<Key> keys;
    for (std::size_t i = 0; i < count; ++i) keys.push_back({"k" + std::to_string(i)});
    keys.push_back({"k0"});  // repeated
    std::map<std::string, int> seen;
    LookUpKeys(*db_, "k", keys, "SELECT p.k, p.v FROM pairs p JOIN keys ON keys.k = p.k",
               [&](Statement& row) {
                 ++seen[row.Text(0)];
                 EXPECT_EQ("k" + std::to_string(row.Int(1)), row.Text(0));
               });
    EXPECT_EQ(seen.size(), (count + 1) / 2) << count << " keys";
    for (const auto& [key, times] : seen) EXPECT_EQ(times, 1) << key << " of " << count;
  }
}

}  // namespace
}  // namespace chat
