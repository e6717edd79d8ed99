// The access cut log and chatd's AccessWatcher, on SQLite and PostgreSQL:
// which devices it has disconnected, once each.
#include "chatd/access_watcher.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "chat/clock.h"
#include "chat/token.h"
#include "engine_fixture.h"
#include "store/access_cut_store.h"
#include "store/account_store.h"

namespace chat {
namespace {

using Kicked = std::vector<std::pair<std::string, std::string>>;

class AccessWatcherTest : public EngineFixture {
 protected:
  void SetUp() override {
    OpenFreshDatabase();
    if (IsSkipped()) return;
    AccountStore accounts(*db_);
    for (const char* user : {"alice", "bob"}) accounts.AddUser(user, "");
    for (const char* device : {"phone", "tablet"}) accounts.AddDevice("alice", device, "");
    accounts.AddDevice("bob", "phone", "");
  }
  void TearDown() override { CloseDatabase(); }

  std::unique_ptr<AccessWatcher> Watcher(int64_t replay_s = 60) {
    return std::make_unique<AccessWatcher>(
        target_, [this](const std::string& u, const std::string& d) { kicked_.emplace_back(u, d); },
        std::chrono::seconds(1), replay_s);
  }
  Kicked Take() { return std::exchange(kicked_, {}); }

  Kicked kicked_;
};
INSTANTIATE_ON_BOTH_ENGINES(AccessWatcherTest);

TEST_P(AccessWatcherTest, ARevokedOrKickedDeviceAndABannedUsersDevicesAreKickedOnceEach) {
  auto watcher = Watcher();
  int64_t now = NowSeconds();
  EXPECT_EQ(watcher->Poll(now), 0);
  AccountStore accounts(*db_);
  ASSERT_EQ(accounts.RevokeDeviceTokens("bob", "phone", now), 0);  // no token: nothing to cut
  EXPECT_EQ(watcher->Poll(now), 0);

  TokenSigner signer(SigningKey(32, 7));
  accounts.IssueToken("bob", "phone", 3600, signer, now);
  ASSERT_EQ(accounts.RevokeDeviceTokens("bob", "phone", now), 1);
  EXPECT_EQ(watcher->Poll(now), 1);
  EXPECT_EQ(Take(), (Kicked{{"bob", "phone"}}));

  ASSERT_EQ(accounts.BanUser("alice", now), AccountError::kNone);
  EXPECT_TRUE(accounts.IsBanned("alice"));
  EXPECT_EQ(watcher->Poll(now), 2);
  EXPECT_EQ(Take(), (Kicked{{"alice", "phone"}, {"alice", "tablet"}}));

  // Applied once, also after they settle.
  EXPECT_EQ(watcher->Poll(now), 0);
  EXPECT_EQ(watcher->Poll(now + 60), 0);
  EXPECT_TRUE(Take().empty());

  ASSERT_EQ(accounts.KickDevice("alice", "tablet", now), AccountError::kNone);
  EXPECT_EQ(watcher->Poll(now), 1);
  EXPECT_EQ(Take(), (Kicked{{"alice", "tablet"}}));
  EXPECT_EQ(accounts.KickDevice("alice", "watch", now), AccountError::kNoSuchDevice);
  EXPECT_EQ(accounts.KickDevice("nobody", "phone", now), AccountError::kNoSuchUser);

  ASSERT_EQ(accounts.UnbanUser("alice"), AccountError::kNone);
  EXPECT_FALSE(accounts.IsBanned("alice"));
  EXPECT_EQ(watcher->Poll(now + 60), 0);
  EXPECT_EQ(accounts.BanUser("nobody", now), AccountError::kNoSuchUser);
}

TEST_P(AccessWatcherTest, CutsFromBeforeTheStartAreAppliedOnlyWithinTheReplayWindow) {
  int64_t now = NowSeconds();
  AccessCutStore cuts(*db_);
  cuts.Record("alice", "phone", "revoked", now - 120);
  cuts.Record("bob", "phone", "revoked", now - 10);
  auto watcher = Watcher(60);
  EXPECT_EQ(watcher->Poll(now), 1);
  EXPECT_EQ(Take(), (Kicked{{"bob", "phone"}}));
}

// A burst (a mass revocation) larger than one page of the log is applied
// in one poll, not a page per settled interval.
TEST_P(AccessWatcherTest, MoreCutsThanOnePageAreAllAppliedInOnePoll) {
  int64_t now = NowSeconds();
  auto watcher = Watcher();
  AccessCutStore cuts(*db_);
  {
    Transaction txn(*db_);
    for (int i = 0; i < 1005; ++i) cuts.Record("bob", "d" + std::to_string(i), "kicked", now);
    txn.Commit();
  }
  EXPECT_EQ(watcher->Poll(now), 1005);
  EXPECT_EQ(watcher->Poll(now), 0);
}

// On PostgreSQL ids are handed out before the commit: a cut can become
// visible after one with a higher id, and is still applied.
TEST_P(AccessWatcherTest, ACutThatCommitsAfterOneWithAHigherIdIsNotMissed) {
  int64_t now = NowSeconds();
  auto watcher = Watcher();
  db_->Exec(
      "INSERT INTO access_cuts (id, user_id, device_id, reason, at_s) VALUES (5, 'bob', "
      "'phone', 'revoked', " +
      std::to_string(now) + ")");
  EXPECT_EQ(watcher->Poll(now), 1);
  db_->Exec(
      "INSERT INTO access_cuts (id, user_id, device_id, reason, at_s) VALUES (3, 'alice', "
      "'phone', 'revoked', " +
      std::to_string(now) + ")");
  EXPECT_EQ(watcher->Poll(now + 1), 1);
  EXPECT_EQ(Take(), (Kicked{{"bob", "phone"}, {"alice", "phone"}}));
  EXPECT_EQ(watcher->Poll(now + 60), 0);
}

}  // namespace
}  // namespace chat
