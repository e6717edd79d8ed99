// Blocks, mutes and privacy settings in SQLite (store/privacy_store.h).
#include "store/privacy_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "engine_fixture.h"
#include "store/migrator.h"

namespace chat {
namespace {

class PrivacyStoreTest : public EngineFixture {
 protected:
  void SetUp() override {
    OpenFreshDatabase();
    if (IsSkipped()) return;
    store_ = std::make_unique<PrivacyStore>(*db_);
  }
  void TearDown() override {
    store_.reset();
    CloseDatabase();
  }
  std::unique_ptr<PrivacyStore> store_;
};
INSTANTIATE_ON_BOTH_ENGINES(PrivacyStoreTest);

TEST_P(PrivacyStoreTest, ABlockGoesOneWayAndEitherBlockedSeesBoth) {
  store_->Block("bob", "alice", 1000);
  EXPECT_TRUE(store_->Blocked("bob", "alice"));
  EXPECT_FALSE(store_->Blocked("alice", "bob"));
  EXPECT_TRUE(store_->EitherBlocked("alice", "bob"));
  EXPECT_TRUE(store_->EitherBlocked("bob", "alice"));
  EXPECT_FALSE(store_->EitherBlocked("alice", "carol"));
}

TEST_P(PrivacyStoreTest, BlockingTwiceIsBlockingOnceAndUnblockUndoesIt) {
  store_->Block("bob", "carol", 1000);
  store_->Block("bob", "alice", 1000);
  store_->Block("bob", "alice", 2000);
  EXPECT_EQ(store_->BlockedBy("bob"), (std::vector<std::string>{"alice", "carol"}));
  store_->Unblock("bob", "alice");
  store_->Unblock("bob", "alice");  // not blocked: nothing to do
  EXPECT_FALSE(store_->EitherBlocked("alice", "bob"));
  EXPECT_EQ(store_->BlockedBy("bob"), (std::vector<std::string>{"carol"}));
  EXPECT_TRUE(store_->BlockedBy("alice").empty());
}

TEST_P(PrivacyStoreTest, AMuteHoldsUntilItsTimeOrForeverAtZero) {
  store_->Mute("bob", "c1", 5000);
  store_->Mute("bob", "c2", 0);
  EXPECT_EQ(store_->MutedUntil("bob", "c1", 4999), 5000);
  EXPECT_EQ(store_->MutedUntil("bob", "c1", 5000), std::nullopt);  // expired: not muted
  EXPECT_EQ(store_->MutedUntil("bob", "c2", 1'000'000'000'000), 0);
  EXPECT_EQ(store_->MutedUntil("alice", "c1", 0), std::nullopt);  // one user's
  EXPECT_EQ(store_->MutesOf("bob", 6000), (std::map<std::string, int64_t>{{"c2", 0}}));
}

TEST_P(PrivacyStoreTest, MutingAgainReplacesAndUnmuteEnds) {
  store_->Mute("bob", "c1", 5000);
  store_->Mute("bob", "c1", 0);
  EXPECT_EQ(store_->MutedUntil("bob", "c1", 6000), 0);
  store_->Unmute("bob", "c1");
  EXPECT_EQ(store_->MutedUntil("bob", "c1", 0), std::nullopt);
  EXPECT_TRUE(store_->MutesOf("bob", 0).empty());
}

TEST_P(PrivacyStoreTest, SettingsDefaultToEveryoneWithReadReceiptsUntilSet) {
  EXPECT_EQ(store_->Settings("alice"), (PrivacySettings{PresenceAudience::kEveryone, true}));
  store_->SetSettings("alice", {PresenceAudience::kContacts, false});
  EXPECT_EQ(store_->Settings("alice"), (PrivacySettings{PresenceAudience::kContacts, false}));
  store_->SetSettings("alice", {PresenceAudience::kNobody, true});
  EXPECT_EQ(store_->Settings("alice"), (PrivacySettings{PresenceAudience::kNobody, true}));
  EXPECT_EQ(store_->Settings("bob"), PrivacySettings{});
}

TEST_P(PrivacyStoreTest, AudienceNamesRoundTrip) {
  for (auto audience :
       {PresenceAudience::kEveryone, PresenceAudience::kContacts, PresenceAudience::kNobody}) {
    EXPECT_EQ(ParsePresenceAudience(PresenceAudienceName(audience)), audience);
  }
  EXPECT_EQ(PresenceAudienceName(PresenceAudience::kContacts), "contacts");
  EXPECT_EQ(ParsePresenceAudience("friends"), std::nullopt);
}

}  // namespace
}  // namespace chat
