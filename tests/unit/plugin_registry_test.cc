// SqliteTokenRegistry on a real, migrated database written by AccountStore.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "chat/clock.h"
#include "chat/database.h"
#include "chat/token.h"
#include "sqlite_token_registry.h"
#include "store/account_store.h"
#include "store/migrator.h"

namespace chat::plugin {
namespace {

class PluginRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("plugin_registry_test." + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "chat.db").string();
    db_.emplace(Database::Open(path_));
    ApplyMigrations(*db_);
    accounts_.emplace(*db_);
    ASSERT_EQ(accounts_->AddUser("alice", "Alice"), AccountError::kNone);
    ASSERT_EQ(accounts_->AddDevice("alice", "phone", "android"), AccountError::kNone);
    registry_.emplace(path_);
  }
  void TearDown() override {
    registry_.reset();
    accounts_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  TokenRecord Issue(const std::string& user = "alice", const std::string& device = "phone") {
    IssuedToken issued = accounts_->IssueToken(user, device, 3600, signer_, NowSeconds());
    EXPECT_EQ(issued.error, AccountError::kNone);
    return issued.record;
  }
  RegistrationStatus Check(const TokenRecord& token) {
    return registry_->Check(token.jti, token.user, token.device).status;
  }

  std::filesystem::path dir_;
  std::string path_;
  std::optional<Database> db_;
  std::optional<AccountStore> accounts_;
  TokenSigner signer_{SigningKey(32, 1)};
  std::optional<SqliteTokenRegistry> registry_;
};

TEST_F(PluginRegistryTest, IssuedTokenIsActive) {
  EXPECT_EQ(Check(Issue()), RegistrationStatus::kActive);
}

TEST_F(PluginRegistryTest, RevokedTokenIsRevokedOnceTheBrokerLoopPassEnds) {
  TokenRecord token = Issue();
  EXPECT_EQ(Check(token), RegistrationStatus::kActive);
  accounts_->RevokeToken(token.jti, NowSeconds());
  // Checks of one pass of the broker loop share its snapshot.
  EXPECT_EQ(Check(token), RegistrationStatus::kActive);
  registry_->EndSnapshot();
  EXPECT_EQ(Check(token), RegistrationStatus::kRevoked);
}

TEST_F(PluginRegistryTest, SnapshotNeverOutlivesItsMaximumAge) {
  SqliteTokenRegistry registry(path_, 250, std::chrono::milliseconds(20));
  TokenRecord token = Issue();
  EXPECT_EQ(registry.Check(token.jti, token.user, token.device).status,
            RegistrationStatus::kActive);
  accounts_->RevokeToken(token.jti, NowSeconds());
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  EXPECT_EQ(registry.Check(token.jti, token.user, token.device).status,
            RegistrationStatus::kRevoked);
}

TEST_F(PluginRegistryTest, DeviceProvisionedDuringASharedSnapshotConnectsAtOnce) {
  EXPECT_EQ(Check(Issue()), RegistrationStatus::kActive);  // the pass's snapshot begins
  ASSERT_EQ(accounts_->AddDevice("alice", "tablet", ""), AccountError::kNone);
  TokenRecord fresh = Issue("alice", "tablet");
  EXPECT_EQ(Check(fresh), RegistrationStatus::kActive);
}

TEST_F(PluginRegistryTest, EndingTheSnapshotLetsACheckpointCopyEveryFrame) {
  TokenRecord token = Issue();
  EXPECT_EQ(Check(token), RegistrationStatus::kActive);
  // A reader never blocks a WAL writer: this commits while the snapshot is open.
  ASSERT_EQ(accounts_->AddDevice("alice", "tablet", ""), AccountError::kNone);
  auto checkpoint = [&] {
    int log_frames = -1, copied = -1;
    EXPECT_EQ(sqlite3_wal_checkpoint_v2(db_->sqlite_handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                        &log_frames, &copied),
              SQLITE_OK);
    return std::pair{copied, log_frames};
  };
  auto [copied_open, frames_open] = checkpoint();
  EXPECT_LT(copied_open, frames_open) << "the open snapshot still needs the older pages";
  registry_->EndSnapshot();
  auto [copied, frames] = checkpoint();
  EXPECT_EQ(copied, frames);
}

TEST_F(PluginRegistryTest, UnknownJtiIsUnknown) {
  TokenRecord token = Issue();
  token.jti = "00000000000000000000000000000000";
  EXPECT_EQ(Check(token), RegistrationStatus::kUnknownToken);
}

TEST_F(PluginRegistryTest, JtiOfAnotherDeviceOrUserIsUnknown) {
  TokenRecord token = Issue();
  token.device = "laptop";
  EXPECT_EQ(Check(token), RegistrationStatus::kUnknownToken);
  token.device = "phone";
  token.user = "bob";
  EXPECT_EQ(Check(token), RegistrationStatus::kUnknownToken);
}

TEST_F(PluginRegistryTest, DisabledUserIsRefused) {
  TokenRecord token = Issue();
  db_->Exec("UPDATE users SET disabled = 1 WHERE id = 'alice'");
  EXPECT_EQ(Check(token), RegistrationStatus::kUserDisabled);
}

TEST_F(PluginRegistryTest, RemovedDeviceIsRefused) {
  TokenRecord token = Issue();
  db_->Exec("PRAGMA foreign_keys=OFF; DELETE FROM devices WHERE user_id = 'alice';");
  EXPECT_EQ(Check(token), RegistrationStatus::kUnknownDevice);
}

TEST_F(PluginRegistryTest, RemovedUserIsRefused) {
  TokenRecord token = Issue();
  db_->Exec("PRAGMA foreign_keys=OFF; DELETE FROM users WHERE id = 'alice';");
  EXPECT_EQ(Check(token), RegistrationStatus::kUnknownUser);
}

TEST_F(PluginRegistryTest, RefusalIsNotCached) {
  TokenRecord token{"0123456789abcdef0123456789abcdef", "alice", "tablet", 0, 0, false};
  EXPECT_EQ(Check(token), RegistrationStatus::kUnknownToken);
  ASSERT_EQ(accounts_->AddDevice("alice", "tablet", ""), AccountError::kNone);
  TokenRecord fresh = Issue("alice", "tablet");
  EXPECT_EQ(Check(fresh), RegistrationStatus::kActive);
}

TEST_F(PluginRegistryTest, MissingDatabaseFailsClosedAndRecoversWhenItAppears) {
  std::string other = (dir_ / "later.db").string();
  SqliteTokenRegistry registry(other);
  Registration missing = registry.Check("0123456789abcdef0123456789abcdef", "alice", "phone");
  EXPECT_EQ(missing.status, RegistrationStatus::kUnavailable);
  EXPECT_NE(missing.detail.find(other), std::string::npos) << missing.detail;

  Database later = Database::Open(other);
  ApplyMigrations(later);
  AccountStore accounts(later);
  accounts.AddUser("alice", "");
  accounts.AddDevice("alice", "phone", "");
  IssuedToken issued = accounts.IssueToken("alice", "phone", 60, signer_, NowSeconds());
  EXPECT_EQ(registry.Check(issued.record.jti, "alice", "phone").status,
            RegistrationStatus::kActive);
}

TEST_F(PluginRegistryTest, DatabaseWithoutTheSchemaFailsClosed) {
  std::string empty = (dir_ / "empty.db").string();
  Database::Open(empty);
  SqliteTokenRegistry registry(empty);
  EXPECT_EQ(registry.Check("0123456789abcdef0123456789abcdef", "alice", "phone").status,
            RegistrationStatus::kUnavailable);
}

}  // namespace
}  // namespace chat::plugin
