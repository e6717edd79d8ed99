// The store conformance suite: migrations, accounts, sequencing and dedupe,
// on SQLite and on PostgreSQL alike (engine_fixture.h); then what only the
// SQLite file does (its PRAGMAs, the backup before an upgrade).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "chat/migrations.h"
#include "chat/store_target.h"
#include "chat/support/test_database.h"
#include "chat/token.h"
#include "engine_fixture.h"
#include "store/account_store.h"
#include "store/conversation_store.h"
#include "store/group_request_store.h"
#include "store/message_store.h"
#include "store/migrator.h"

namespace chat {
namespace {

class StoreTest : public EngineFixture {
 protected:
  void SetUp() override { OpenFreshDatabase(); }
  void TearDown() override { CloseDatabase(); }

  // Users alice and bob and their direct conversation.
  std::string AliceAndBobConversation() {
    AccountStore accounts(*db_);
    accounts.AddUser("alice", "");
    accounts.AddUser("bob", "");
    return ConversationStore(*db_).CreateDirect("alice", "bob", 1);
  }

  void SetSchemaVersion(int version) {
    if (OnPostgres()) {
      db_->Exec("INSERT INTO schema_version (version) VALUES (" + std::to_string(version) + ")");
    } else {
      db_->Exec("PRAGMA user_version = " + std::to_string(version));
    }
  }
};
INSTANTIATE_ON_BOTH_ENGINES(StoreTest);

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test_db_ = std::make_unique<support::TestDatabase>(
        Database::Engine::kSqlite,
        std::string("sqlite_store_") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    path_ = test_db_->target();
    db_ = std::make_unique<Database>(Database::Open(path_));
    ApplyMigrations(*db_);
  }
  void TearDown() override {
    db_.reset();
    test_db_.reset();
  }
  std::unique_ptr<support::TestDatabase> test_db_;
  std::string path_;
  std::unique_ptr<Database> db_;
};

// A db_path that names an unreachable PostgreSQL server is an error that
// names it, without the password the URL carries.
TEST(StoreTarget, AnUnreachableServerIsAnErrorNamingItWithoutThePassword) {
  try {
    OpenStore("postgresql://chat:secret@127.0.0.1:1/chat?connect_timeout=2");
    FAIL() << "connected to port 1";
  } catch (const StoreFailure& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("postgresql://chat:***@127.0.0.1:1/chat"), std::string::npos) << message;
    EXPECT_EQ(message.find("secret"), std::string::npos) << message;
  }
  EXPECT_EQ(StoreName("postgresql://chat:secret@db/chat"), "postgresql://chat:***@db/chat");
  EXPECT_EQ(StoreName("/var/lib/chat/chat.db"), "/var/lib/chat/chat.db");
}

TEST(Migrations, BothEnginesHaveTheSameNumbers) {
  auto sqlite = AllMigrations(SchemaDialect::kSqlite);
  auto postgres = AllMigrations(SchemaDialect::kPostgres);
  ASSERT_EQ(sqlite.size(), postgres.size());
  for (std::size_t i = 0; i < sqlite.size(); ++i) {
    EXPECT_EQ(sqlite[i].version, postgres[i].version);
    EXPECT_STREQ(sqlite[i].name, postgres[i].name);
  }
}

TEST_P(StoreTest, FreshDatabaseIsAtTheLatestSchema) {
  auto report = ApplyMigrations(*db_);
  EXPECT_EQ(report.from_version, LatestSchemaVersion());
  EXPECT_GE(LatestSchemaVersion(), 1);
}

TEST_P(StoreTest, MigratingTwiceChangesNothing) {
  auto report = ApplyMigrations(*db_);
  EXPECT_EQ(report.from_version, report.to_version);
  EXPECT_TRUE(report.backup_path.empty());
}

TEST_F(SqliteStoreTest, UpgradeFromVersion2KeepsDataAndAddsGroupRequests) {
  db_.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  db_ = std::make_unique<Database>(Database::Open(path_));
  for (const Migration& migration : AllMigrations(SchemaDialect::kSqlite)) {
    if (migration.version <= 2) db_->Exec(migration.sql);
  }
  db_->Exec("PRAGMA user_version = 2");
  AccountStore(*db_).AddUser("alice", "");
  auto report = ApplyMigrations(*db_);
  EXPECT_EQ(report.from_version, 2);
  EXPECT_EQ(report.to_version, LatestSchemaVersion());
  EXPECT_FALSE(report.backup_path.empty());
  EXPECT_TRUE(ConversationStore(*db_).IsActiveUser("alice"));
  GroupRequestStore requests(*db_);
  requests.Remember("alice", "phone", "g1", {"group.create", "f", "c1", 1000});
  auto found = requests.Find("alice", "phone", "g1", 0);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->conv, "c1");
  EXPECT_FALSE(requests.Find("alice", "phone", "g1", 1001).has_value());  // too old
  EXPECT_FALSE(requests.Find("alice", "laptop", "g1", 0).has_value());
  requests.ForgetOlderThan(1001);
  EXPECT_FALSE(requests.Find("alice", "phone", "g1", 0).has_value());
  std::filesystem::remove(report.backup_path);
}

TEST_P(StoreTest, NewerSchemaThanTheBinaryIsRefused) {
  SetSchemaVersion(999);
  EXPECT_THROW(ApplyMigrations(*db_), StoreFailure);
}

TEST_F(SqliteStoreTest, DatabaseUsesWalAndFullSync) {
  auto mode = db_->Prepare("PRAGMA journal_mode");
  mode.Step();
  EXPECT_EQ(mode.Text(0), "wal");
  auto sync = db_->Prepare("PRAGMA synchronous");
  sync.Step();
  EXPECT_EQ(sync.Int(0), 2);  // FULL
}

TEST_P(StoreTest, UsersAndDevicesAreUniqueAndValidated) {
  AccountStore accounts(*db_);
  EXPECT_EQ(accounts.AddUser("alice", "Alice"), AccountError::kNone);
  EXPECT_EQ(accounts.AddUser("alice", ""), AccountError::kExists);
  EXPECT_EQ(accounts.AddUser("Bad/Id", ""), AccountError::kInvalidId);
  EXPECT_EQ(accounts.AddDevice("alice", "phone", "ios"), AccountError::kNone);
  EXPECT_EQ(accounts.AddDevice("alice", "phone", "ios"), AccountError::kExists);
  EXPECT_EQ(accounts.AddDevice("nobody", "phone", ""), AccountError::kNoSuchUser);
  EXPECT_EQ(accounts.ListDevices("alice").size(), 1u);
}

TEST_P(StoreTest, IssuedTokenVerifiesAndRevocationIsRecorded) {
  AccountStore accounts(*db_);
  accounts.AddUser("alice", "");
  accounts.AddDevice("alice", "phone", "");
  SigningKey key(32, 7);
  auto issued = accounts.IssueToken("alice", "phone", 3600, TokenSigner(key), 1000);
  ASSERT_EQ(issued.error, AccountError::kNone);
  auto check = TokenVerifier(key).Verify(issued.token, 1000);
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check.claims.jti, issued.record.jti);
  EXPECT_EQ(accounts.IssueToken("alice", "laptop", 60, TokenSigner(key), 1000).error,
            AccountError::kNoSuchDevice);
  EXPECT_EQ(accounts.RevokeDeviceTokens("alice", "phone", 1001), 1);
  EXPECT_EQ(accounts.RevokeToken(issued.record.jti, 1002), 0);  // already revoked
  EXPECT_TRUE(accounts.ListTokens("alice").at(0).revoked);
}

// An operator issues tokens while chatd commits batches on its own
// connection: no token may fail with "database is locked" (a read left open
// by the device check would make the insert a stale-snapshot upgrade, which
// SQLite refuses at once instead of waiting).
TEST_P(StoreTest, IssuingTokensWhileAnotherConnectionWritesNeverFails) {
  AccountStore accounts(*db_);
  accounts.AddUser("alice", "");
  accounts.AddDevice("alice", "phone", "");
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    Database other = test_db_->Open();
    AccountStore others(other);
    for (int i = 0; !stop.load(); ++i) {  // batches, each holding the write lock a while
      Transaction batch(other);
      others.AddUser("u" + std::to_string(i), "");
      std::this_thread::sleep_for(std::chrono::microseconds(300));
      batch.Commit();
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
  });
  SigningKey key(32, 7);
  int failed = 0;
  for (int i = 0; i < 300; ++i) {
    try {
      if (accounts.IssueToken("alice", "phone", 60, TokenSigner(key), 1000).error !=
          AccountError::kNone) {
        ++failed;
      }
    } catch (const StoreFailure&) {
      ++failed;
    }
  }
  stop = true;
  writer.join();
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(accounts.ListTokens("alice").size(), 300u);
}

TEST_P(StoreTest, AppendAssignsConsecutiveSeqPerConversation) {
  AccountStore accounts(*db_);
  for (const char* u : {"alice", "bob", "carol"}) accounts.AddUser(u, "");
  ConversationStore convs(*db_);
  MessageStore store(*db_);
  std::string ab = convs.CreateDirect("alice", "bob", 1);
  std::string ac = convs.CreateDirect("carol", "alice", 1);
  for (int i = 1; i <= 5; ++i) {
    StoredMessage m{ab, 0, 1, "alice", "phone", "m" + std::to_string(i), "x", "user", ""};
    EXPECT_EQ(store.Append(m), i);
  }
  StoredMessage other{ac, 0, 1, "carol", "phone", "m1", "x", "user", ""};
  EXPECT_EQ(store.Append(other), 1);
  EXPECT_EQ(store.MessageCount(), 6);
}

TEST_P(StoreTest, DirectConversationIsUniquePerPairInEitherOrder) {
  AccountStore accounts(*db_);
  accounts.AddUser("alice", "");
  accounts.AddUser("bob", "");
  ConversationStore store(*db_);
  std::string conv = store.CreateDirect("bob", "alice", 1);
  EXPECT_EQ(store.FindDirect("alice", "bob"), conv);
  EXPECT_EQ(store.FindDirect("bob", "alice"), conv);
  EXPECT_THROW(store.CreateDirect("alice", "bob", 2), StoreFailure);
  EXPECT_EQ(store.ActiveMembers(conv), (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(store.Kind(conv), "direct");
}

TEST_P(StoreTest, RangeReadsPageForwardAndBackward) {
  std::string conv = AliceAndBobConversation();
  MessageStore store(*db_);
  for (int i = 1; i <= 10; ++i) {
    StoredMessage m{conv, 0,      1, i % 2 ? "alice" : "bob", "d", "m" + std::to_string(i),
                    "x",  "user", ""};
    store.Append(m);
  }
  auto after = store.After(conv, 3, 10, 4);
  ASSERT_EQ(after.size(), 4u);
  EXPECT_EQ(after.front().seq, 4);
  EXPECT_EQ(after.back().seq, 7);
  auto before = store.Before(conv, 8, 1, 3);
  ASSERT_EQ(before.size(), 3u);
  EXPECT_EQ(before.front().seq, 5);
  EXPECT_EQ(before.back().seq, 7);
  EXPECT_EQ(store.CountUnread(conv, "alice", 0, 10), 5);
}

TEST_P(StoreTest, ReceiptCursorsOnlyMoveForward) {
  AccountStore accounts(*db_);
  accounts.AddUser("alice", "");
  accounts.AddUser("bob", "");
  ConversationStore convs(*db_);
  std::string conv = convs.CreateDirect("alice", "bob", 1);
  EXPECT_TRUE(convs.AdvanceRead(conv, "bob", 5));
  EXPECT_FALSE(convs.AdvanceRead(conv, "bob", 3));
  EXPECT_EQ(convs.MembershipOf(conv, "bob")->read_seq, 5);
  EXPECT_EQ(convs.ReadBy(conv, 4), (std::vector<std::string>{"bob"}));
}

TEST_P(StoreTest, ClientMessageIdFindsTheOriginalMessage) {
  AccountStore accounts(*db_);
  accounts.AddUser("alice", "");
  accounts.AddUser("bob", "");
  MessageStore store(*db_);
  std::string conv = ConversationStore(*db_).CreateDirect("alice", "bob", 1);
  StoredMessage m{conv, 0, 42, "alice", "phone", "cm-1", "hello", "user", ""};
  store.Append(m);
  auto found = store.FindByClientId(conv, "alice", "cm-1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->seq, 1);
  EXPECT_EQ(found->body, "hello");
  EXPECT_EQ(found->ts_ms, 42);
  EXPECT_FALSE(store.FindByClientId(conv, "bob", "cm-1"));  // ids are per sender
}

// Seq is assigned in the transaction that stores the message: writers on
// their own connections, all on one conversation, get every seq exactly once.
TEST_P(StoreTest, ConcurrentWritersOnOneConversationGetGaplessSeqs) {
  std::string conv = AliceAndBobConversation();
  constexpr int kWriters = 4;
  constexpr int kEach = 50;
  std::vector<std::thread> writers;
  std::atomic<int> failed{0};
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      Database own = test_db_->Open();
      MessageStore store(own);
      for (int i = 0; i < kEach; ++i) {
        try {
          Transaction txn(own);
          StoredMessage m{conv,
                          0,
                          1,
                          "alice",
                          "w" + std::to_string(w),
                          std::to_string(w) + "-" + std::to_string(i),
                          "x",
                          "user",
                          ""};
          store.Append(m);
          txn.Commit();
        } catch (const StoreFailure&) {
          ++failed;
        }
      }
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(failed.load(), 0);
  auto all = MessageStore(*db_).After(conv, 0, 1000000, 1000);
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kWriters * kEach));
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].seq, static_cast<int64_t>(i + 1));
  EXPECT_EQ(ConversationStore(*db_).LastSeq(conv), kWriters * kEach);
}

// A batch that is rolled back (a crash before COMMIT is one) leaves no seq
// behind: the next message takes the number the lost one had.
TEST_P(StoreTest, ARolledBackBatchUsesUpNoSeq) {
  std::string conv = AliceAndBobConversation();
  MessageStore store(*db_);
  StoredMessage first{conv, 0, 1, "alice", "phone", "c1", "x", "user", ""};
  store.Append(first);
  {
    Transaction lost(*db_);
    StoredMessage m{conv, 0, 1, "alice", "phone", "c2", "x", "user", ""};
    EXPECT_EQ(store.Append(m), 2);
  }  // rolled back
  StoredMessage again{conv, 0, 1, "alice", "phone", "c2", "x", "user", ""};
  EXPECT_EQ(store.Append(again), 2);
  EXPECT_EQ(store.MessageCount(), 2);
}

// The same client message id from the same sender is one message: the
// second insert is refused by the store, whatever the engine.
TEST_P(StoreTest, AResentClientMessageIdIsRefusedByTheStore) {
  std::string conv = AliceAndBobConversation();
  MessageStore store(*db_);
  StoredMessage m{conv, 0, 1, "alice", "phone", "cm-1", "x", "user", ""};
  store.Append(m);
  StoredMessage twice{conv, 0, 1, "alice", "phone", "cm-1", "x", "user", ""};
  EXPECT_THROW(
      {
        Transaction txn(*db_);
        store.Append(twice);
        txn.Commit();
      },
      StoreFailure);
  EXPECT_EQ(store.MessageCount(), 1);
  EXPECT_EQ(ConversationStore(*db_).LastSeq(conv), 1);
}

}  // namespace
}  // namespace chat
