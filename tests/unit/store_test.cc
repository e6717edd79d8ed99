// The SQLite store: migrations, accounts, sequencing and dedupe.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "chat/migrations.h"
#include "chat/token.h"
#include "store/account_store.h"
#include "store/conversation_store.h"
#include "store/group_request_store.h"
#include "store/message_store.h"
#include "store/migrator.h"

namespace chat {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/store_test_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    std::filesystem::remove(path_);
    db_ = std::make_unique<Database>(Database::Open(path_));
    ApplyMigrations(*db_);
  }
  void TearDown() override {
    db_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  std::string path_;
  std::unique_ptr<Database> db_;
};

TEST_F(StoreTest, FreshDatabaseIsAtTheLatestSchema) {
  auto stmt = db_->Prepare("PRAGMA user_version");
  stmt.Step();
  EXPECT_EQ(stmt.Int(0), LatestSchemaVersion());
  EXPECT_GE(LatestSchemaVersion(), 1);
}

TEST_F(StoreTest, MigratingTwiceChangesNothing) {
  auto report = ApplyMigrations(*db_);
  EXPECT_EQ(report.from_version, report.to_version);
  EXPECT_TRUE(report.backup_path.empty());
}

TEST_F(StoreTest, UpgradeFromVersion2KeepsDataAndAddsGroupRequests) {
  db_.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  db_ = std::make_unique<Database>(Database::Open(path_));
  for (const Migration& migration : AllMigrations()) {
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

TEST_F(StoreTest, NewerSchemaThanTheBinaryIsRefused) {
  db_->Exec("PRAGMA user_version = 999");
  EXPECT_THROW(ApplyMigrations(*db_), StoreFailure);
}

TEST_F(StoreTest, DatabaseUsesWalAndFullSync) {
  auto mode = db_->Prepare("PRAGMA journal_mode");
  mode.Step();
  EXPECT_EQ(mode.Text(0), "wal");
  auto sync = db_->Prepare("PRAGMA synchronous");
  sync.Step();
  EXPECT_EQ(sync.Int(0), 2);  // FULL
}

TEST_F(StoreTest, UsersAndDevicesAreUniqueAndValidated) {
  AccountStore accounts(*db_);
  EXPECT_EQ(accounts.AddUser("alice", "Alice"), AccountError::kNone);
  EXPECT_EQ(accounts.AddUser("alice", ""), AccountError::kExists);
  EXPECT_EQ(accounts.AddUser("Bad/Id", ""), AccountError::kInvalidId);
  EXPECT_EQ(accounts.AddDevice("alice", "phone", "ios"), AccountError::kNone);
  EXPECT_EQ(accounts.AddDevice("alice", "phone", "ios"), AccountError::kExists);
  EXPECT_EQ(accounts.AddDevice("nobody", "phone", ""), AccountError::kNoSuchUser);
  EXPECT_EQ(accounts.ListDevices("alice").size(), 1u);
}

TEST_F(StoreTest, IssuedTokenVerifiesAndRevocationIsRecorded) {
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
TEST_F(StoreTest, IssuingTokensWhileAnotherConnectionWritesNeverFails) {
  AccountStore accounts(*db_);
  accounts.AddUser("alice", "");
  accounts.AddDevice("alice", "phone", "");
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    Database other = Database::Open(path_);
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

TEST_F(StoreTest, AppendAssignsConsecutiveSeqPerConversation) {
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

TEST_F(StoreTest, DirectConversationIsUniquePerPairInEitherOrder) {
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

TEST_F(StoreTest, RangeReadsPageForwardAndBackward) {
  AccountStore accounts(*db_);
  accounts.AddUser("alice", "");
  accounts.AddUser("bob", "");
  std::string conv = ConversationStore(*db_).CreateDirect("alice", "bob", 1);
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

TEST_F(StoreTest, ReceiptCursorsOnlyMoveForward) {
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

TEST_F(StoreTest, ClientMessageIdFindsTheOriginalMessage) {
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

}  // namespace
}  // namespace chat
