// Blocks, mutes and privacy settings in SQLite (schema/004_privacy.sql).
#include "store/privacy_store.h"

#include "chat/protocol.h"
#include "store/key_lookup.h"

namespace chat {

namespace {
using Step = Statement::StepResult;

constexpr std::pair<PresenceAudience, std::string_view> kAudienceNames[] = {
    {PresenceAudience::kEveryone, protocol::audience::kEveryone},
    {PresenceAudience::kContacts, protocol::audience::kContacts},
    {PresenceAudience::kNobody, protocol::audience::kNobody},
};

constexpr std::pair<PushPreview, std::string_view> kPreviewNames[] = {
    {PushPreview::kFull, protocol::push_preview::kFull},
    {PushPreview::kSender, protocol::push_preview::kSender},
    {PushPreview::kNone, protocol::push_preview::kNone},
};

template <typename Enum, std::size_t N>
std::string_view NameOf(const std::pair<Enum, std::string_view> (&names)[N], Enum value) {
  for (const auto& [known, name] : names) {
    if (known == value) return name;
  }
  return names[0].second;
}

template <typename Enum, std::size_t N>
std::optional<Enum> ValueOf(const std::pair<Enum, std::string_view> (&names)[N],
                            std::string_view name) {
  for (const auto& [value, known] : names) {
    if (known == name) return value;
  }
  return std::nullopt;
}
}  // namespace

std::string_view PresenceAudienceName(PresenceAudience audience) {
  return NameOf(kAudienceNames, audience);
}

std::optional<PresenceAudience> ParsePresenceAudience(std::string_view name) {
  return ValueOf(kAudienceNames, name);
}

std::string_view PushPreviewName(PushPreview preview) { return NameOf(kPreviewNames, preview); }

std::optional<PushPreview> ParsePushPreview(std::string_view name) {
  return ValueOf(kPreviewNames, name);
}

PrivacyStore::PrivacyStore(Database& db) : db_(db) {}

void PrivacyStore::Block(const std::string& blocker, const std::string& blocked, int64_t now_ms) {
  auto stmt = db_.Cached(
      "INSERT INTO blocks (blocker, blocked, created_ms) VALUES (?1, ?2, ?3) "
      "ON CONFLICT DO NOTHING");
  stmt->Bind(1, blocker).Bind(2, blocked).Bind(3, now_ms);
  stmt->Run();
  ForgetPrefetched();
}

void PrivacyStore::Unblock(const std::string& blocker, const std::string& blocked) {
  auto stmt = db_.Cached("DELETE FROM blocks WHERE blocker = ?1 AND blocked = ?2");
  stmt->Bind(1, blocker).Bind(2, blocked);
  stmt->Run();
  ForgetPrefetched();
}

bool PrivacyStore::Blocked(const std::string& blocker, const std::string& blocked) {
  auto stmt = db_.Cached("SELECT 1 FROM blocks WHERE blocker = ?1 AND blocked = ?2");
  stmt->Bind(1, blocker).Bind(2, blocked);
  return stmt->Step() == Step::kRow;
}

bool PrivacyStore::EitherBlocked(const std::string& a, const std::string& b) {
  if (block_users_.count(a) && block_users_.count(b)) {
    return blocks_.count({a, b}) || blocks_.count({b, a});
  }
  // One query, not two: on PostgreSQL each is a round trip on the send path.
  auto stmt = db_.Cached(
      "SELECT 1 FROM blocks WHERE (blocker = ?1 AND blocked = ?2) "
      "OR (blocker = ?2 AND blocked = ?1) LIMIT 1");
  stmt->Bind(1, a).Bind(2, b);
  return stmt->Step() == Step::kRow;
}

std::vector<std::string> PrivacyStore::BlockedBy(const std::string& blocker) {
  auto stmt = db_.Cached("SELECT blocked FROM blocks WHERE blocker = ?1 ORDER BY blocked");
  stmt->Bind(1, blocker);
  std::vector<std::string> users;
  while (stmt->Step() == Step::kRow) users.push_back(stmt->Text(0));
  return users;
}

void PrivacyStore::Mute(const std::string& user, const std::string& conv, int64_t until_ms) {
  auto stmt = db_.Cached(
      "INSERT INTO mutes (user_id, conv_id, until_ms) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (user_id, conv_id) DO UPDATE SET until_ms = excluded.until_ms");
  stmt->Bind(1, user).Bind(2, conv).Bind(3, until_ms);
  stmt->Run();
}

void PrivacyStore::Unmute(const std::string& user, const std::string& conv) {
  auto stmt = db_.Cached("DELETE FROM mutes WHERE user_id = ?1 AND conv_id = ?2");
  stmt->Bind(1, user).Bind(2, conv);
  stmt->Run();
}

std::optional<int64_t> PrivacyStore::MutedUntil(const std::string& user, const std::string& conv,
                                                int64_t now_ms) {
  auto stmt = db_.Cached(
      "SELECT until_ms FROM mutes WHERE user_id = ?1 AND conv_id = ?2 "
      "AND (until_ms = 0 OR until_ms > ?3)");
  stmt->Bind(1, user).Bind(2, conv).Bind(3, now_ms);
  if (stmt->Step() != Step::kRow) return std::nullopt;
  return stmt->Int(0);
}

std::map<std::string, int64_t> PrivacyStore::MutesOf(const std::string& user, int64_t now_ms) {
  auto stmt = db_.Cached(
      "SELECT conv_id, until_ms FROM mutes WHERE user_id = ?1 "
      "AND (until_ms = 0 OR until_ms > ?2)");
  stmt->Bind(1, user).Bind(2, now_ms);
  std::map<std::string, int64_t> mutes;
  while (stmt->Step() == Step::kRow) mutes[stmt->Text(0)] = stmt->Int(1);
  return mutes;
}

PrivacySettings PrivacyStore::Settings(const std::string& user) {
  auto stmt = db_.Cached(
      "SELECT presence, read_receipts, push_preview FROM user_settings WHERE user_id = ?1");
  stmt->Bind(1, user);
  PrivacySettings settings;
  if (stmt->Step() != Step::kRow) return settings;
  settings.presence = ParsePresenceAudience(stmt->Text(0)).value_or(PresenceAudience::kEveryone);
  settings.read_receipts = stmt->Int(1) != 0;
  settings.push_preview = ParsePushPreview(stmt->Text(2)).value_or(PushPreview::kFull);
  return settings;
}

void PrivacyStore::SetSettings(const std::string& user, const PrivacySettings& settings) {
  auto stmt = db_.Cached(
      "INSERT INTO user_settings (user_id, presence, read_receipts, push_preview) "
      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (user_id) DO UPDATE SET presence = excluded.presence, "
      "read_receipts = excluded.read_receipts, push_preview = excluded.push_preview");
  stmt->Bind(1, user)
      .Bind(2, PresenceAudienceName(settings.presence))
      .Bind(3, int64_t{settings.read_receipts ? 1 : 0})
      .Bind(4, PushPreviewName(settings.push_preview));
  if (stmt->Run() == Step::kConstraint) {
    throw StoreFailure("settings of " + user + " violate a constraint");
  }
}

void PrivacyStore::PrefetchBlocks(const std::vector<std::string>& users) {
  std::vector<Key> keys;
  for (const std::string& user : users) keys.push_back({user});
  LookUpKeys(db_, "user_id", std::move(keys),
             "SELECT b.blocker, b.blocked FROM blocks b JOIN keys k ON b.blocker = k.user_id",
             [&](Statement& row) { blocks_.emplace(row.Text(0), row.Text(1)); });
  block_users_.insert(users.begin(), users.end());
}

void PrivacyStore::ForgetPrefetched() {
  block_users_.clear();
  blocks_.clear();
}

}  // namespace chat
