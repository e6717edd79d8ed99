// Conversations, members and cursors.
#include "store/conversation_store.h"

#include "chat/ids.h"
#include "chat/protocol.h"
#include "store/key_lookup.h"

namespace chat {

namespace {
using Step = Statement::StepResult;

void MustRun(Database::Lease& stmt, const std::string& what) {
  if (stmt->Run() == Step::kConstraint) throw StoreFailure(what + " violates a constraint");
}
}  // namespace

ConversationStore::ConversationStore(Database& db) : db_(db) {}

std::string ConversationStore::DirectKey(const std::string& a, const std::string& b) {
  return a < b ? a + ":" + b : b + ":" + a;
}

bool ConversationStore::IsActiveUser(const std::string& user) {
  if (auto known = active_users_.find(user); known != active_users_.end()) return known->second;
  auto stmt = db_.Cached("SELECT 1 FROM users WHERE id = ?1 AND disabled = 0");
  stmt->Bind(1, user);
  return stmt->Step() == Step::kRow;
}

bool ConversationStore::ShareConversation(const std::string& a, const std::string& b) {
  auto stmt = db_.Cached(
      "SELECT 1 FROM members x JOIN members y ON y.conv_id = x.conv_id AND y.user_id = ?2 "
      "WHERE x.user_id = ?1 AND x.removed_seq IS NULL AND y.removed_seq IS NULL LIMIT 1");
  stmt->Bind(1, a);
  stmt->Bind(2, b);
  return stmt->Step() == Step::kRow;
}

std::vector<std::string> ConversationStore::Devices(const std::string& user) {
  if (auto known = devices_.find(user); known != devices_.end()) return known->second;
  auto stmt = db_.Cached("SELECT id FROM devices WHERE user_id = ?1 ORDER BY id");
  stmt->Bind(1, user);
  std::vector<std::string> devices;
  while (stmt->Step() == Step::kRow) devices.push_back(stmt->Text(0));
  return devices;
}

std::optional<std::string> ConversationStore::FindDirect(const std::string& a,
                                                         const std::string& b) {
  if (auto known = directs_.find(DirectKey(a, b)); known != directs_.end()) return known->second;
  auto stmt = db_.Cached("SELECT id FROM conversations WHERE direct_key = ?1");
  stmt->Bind(1, DirectKey(a, b));
  if (stmt->Step() != Step::kRow) return std::nullopt;
  return stmt->Text(0);
}

std::string ConversationStore::CreateDirect(const std::string& a, const std::string& b,
                                            int64_t now_ms) {
  std::string conv = NewConversationId();
  {
    auto stmt = db_.Cached(
        "INSERT INTO conversations (id, kind, direct_key, created_ms) "
        "VALUES (?1, 'direct', ?2, ?3)");
    stmt->Bind(1, conv).Bind(2, DirectKey(a, b)).Bind(3, now_ms);
    if (stmt->Run() == Step::kConstraint) {
      throw StoreFailure("direct conversation " + DirectKey(a, b) + " already exists");
    }
  }
  AddMember(conv, a, std::string(protocol::role::kMember), 1, now_ms);
  AddMember(conv, b, std::string(protocol::role::kMember), 1, now_ms);
  if (auto known = directs_.find(DirectKey(a, b)); known != directs_.end()) known->second = conv;
  return conv;
}

std::string ConversationStore::CreateGroup(const std::string& title, int64_t now_ms) {
  std::string conv = NewConversationId();
  auto stmt = db_.Cached(
      "INSERT INTO conversations (id, kind, title, created_ms) VALUES (?1, 'group', ?2, ?3)");
  stmt->Bind(1, conv).Bind(2, title).Bind(3, now_ms);
  MustRun(stmt, "group " + conv);
  return conv;
}

std::string ConversationStore::Kind(const std::string& conv) {
  if (auto known = convs_.find(conv); known != convs_.end()) return known->second.kind;
  auto stmt = db_.Cached("SELECT kind FROM conversations WHERE id = ?1");
  stmt->Bind(1, conv);
  return stmt->Step() == Step::kRow ? stmt->Text(0) : std::string();
}

int64_t ConversationStore::LastSeq(const std::string& conv) {
  auto stmt = db_.Cached("SELECT last_seq FROM conversations WHERE id = ?1");
  stmt->Bind(1, conv);
  return stmt->Step() == Step::kRow ? stmt->Int(0) : 0;
}

ConversationInfo ConversationStore::Info(const std::string& conv) {
  ConversationInfo info;
  info.conv = conv;
  {
    auto stmt = db_.Cached("SELECT kind, title FROM conversations WHERE id = ?1");
    stmt->Bind(1, conv);
    if (stmt->Step() != Step::kRow) return info;
    info.kind = stmt->Text(0);
    info.title = stmt->Text(1);
  }
  auto stmt = db_.Cached(
      "SELECT user_id, role FROM members WHERE conv_id = ?1 AND removed_seq IS NULL "
      "ORDER BY user_id");
  stmt->Bind(1, conv);
  while (stmt->Step() == Step::kRow) {
    info.members.push_back(stmt->Text(0));
    if (info.kind == protocol::kind::kGroup) info.roles[stmt->Text(0)] = stmt->Text(1);
  }
  return info;
}

std::vector<std::string> ConversationStore::ActiveMembers(const std::string& conv) {
  if (auto known = convs_.find(conv); known != convs_.end()) return known->second.members;
  auto stmt = db_.Cached(
      "SELECT user_id FROM members WHERE conv_id = ?1 AND removed_seq IS NULL ORDER BY user_id");
  stmt->Bind(1, conv);
  std::vector<std::string> users;
  while (stmt->Step() == Step::kRow) users.push_back(stmt->Text(0));
  return users;
}

std::optional<Membership> ConversationStore::MembershipOf(const std::string& conv,
                                                          const std::string& user) {
  auto stmt = db_.Cached(
      "SELECT role, joined_seq, removed_seq, delivered_seq, read_seq, joined_ms FROM members "
      "WHERE conv_id = ?1 AND user_id = ?2");
  stmt->Bind(1, conv).Bind(2, user);
  if (stmt->Step() != Step::kRow) return std::nullopt;
  Membership m{stmt->Text(0), stmt->Int(1), std::nullopt, stmt->Int(3), stmt->Int(4), stmt->Int(5)};
  if (!stmt->IsNull(2)) m.removed_seq = stmt->Int(2);
  return m;
}

void ConversationStore::AddMember(const std::string& conv, const std::string& user,
                                  const std::string& role, int64_t joined_seq, int64_t now_ms) {
  auto stmt = db_.Cached(
      "INSERT INTO members (conv_id, user_id, role, joined_ms, joined_seq) "
      "VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT (conv_id, user_id) DO UPDATE SET role = ?3, joined_ms = ?4, joined_seq = ?5, "
      "removed_seq = NULL, delivered_seq = 0, read_seq = 0");
  stmt->Bind(1, conv).Bind(2, user).Bind(3, role).Bind(4, now_ms).Bind(5, joined_seq);
  convs_.erase(conv);
  MustRun(stmt, "member " + user + " of " + conv);
}

void ConversationStore::RemoveMember(const std::string& conv, const std::string& user,
                                     int64_t removed_seq) {
  auto stmt = db_.Cached(
      "UPDATE members SET removed_seq = ?3 WHERE conv_id = ?1 AND user_id = ?2 "
      "AND removed_seq IS NULL");
  stmt->Bind(1, conv).Bind(2, user).Bind(3, removed_seq);
  convs_.erase(conv);
  MustRun(stmt, "removal of " + user + " from " + conv);
}

void ConversationStore::SetRole(const std::string& conv, const std::string& user,
                                const std::string& role) {
  auto stmt = db_.Cached("UPDATE members SET role = ?3 WHERE conv_id = ?1 AND user_id = ?2");
  stmt->Bind(1, conv).Bind(2, user).Bind(3, role);
  MustRun(stmt, "role of " + user + " in " + conv);
}

std::vector<std::pair<std::string, Membership>> ConversationStore::ConversationsOf(
    const std::string& user) {
  auto stmt = db_.Cached(
      "SELECT conv_id, role, joined_seq, removed_seq, delivered_seq, read_seq, joined_ms "
      "FROM members WHERE user_id = ?1 ORDER BY conv_id");
  stmt->Bind(1, user);
  std::vector<std::pair<std::string, Membership>> out;
  while (stmt->Step() == Step::kRow) {
    Membership m{stmt->Text(1), stmt->Int(2), std::nullopt,
                 stmt->Int(4),  stmt->Int(5), stmt->Int(6)};
    if (!stmt->IsNull(3)) m.removed_seq = stmt->Int(3);
    out.emplace_back(stmt->Text(0), std::move(m));
  }
  return out;
}

bool ConversationStore::AdvanceRead(const std::string& conv, const std::string& user, int64_t seq) {
  auto stmt = db_.Cached(
      "UPDATE members SET read_seq = ?3 WHERE conv_id = ?1 AND user_id = ?2 AND read_seq < ?3");
  stmt->Bind(1, conv).Bind(2, user).Bind(3, seq);
  stmt->Run();
  return db_.Changes() > 0;
}

bool ConversationStore::AdvanceDelivered(const std::string& conv, const std::string& user,
                                         int64_t seq) {
  auto stmt = db_.Cached(
      "UPDATE members SET delivered_seq = ?3 "
      "WHERE conv_id = ?1 AND user_id = ?2 AND delivered_seq < ?3");
  stmt->Bind(1, conv).Bind(2, user).Bind(3, seq);
  stmt->Run();
  return db_.Changes() > 0;
}

void ConversationStore::AdvanceDeviceDelivered(const std::string& conv, const std::string& user,
                                               const std::string& device, int64_t seq) {
  auto stmt = db_.Cached(
      "INSERT INTO device_cursors (conv_id, user_id, device_id, delivered_seq) "
      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (conv_id, user_id, device_id) "
      "DO UPDATE SET delivered_seq = excluded.delivered_seq "
      "WHERE excluded.delivered_seq > device_cursors.delivered_seq");
  stmt->Bind(1, conv).Bind(2, user).Bind(3, device).Bind(4, seq);
  stmt->Run();
}

std::vector<std::string> ConversationStore::ReadBy(const std::string& conv, int64_t seq) {
  auto stmt = db_.Cached(
      "SELECT user_id FROM members WHERE conv_id = ?1 AND removed_seq IS NULL AND read_seq >= ?2 "
      "ORDER BY user_id");
  stmt->Bind(1, conv).Bind(2, seq);
  std::vector<std::string> users;
  while (stmt->Step() == Step::kRow) users.push_back(stmt->Text(0));
  return users;
}

std::vector<std::string> ConversationStore::DeliveredTo(const std::string& conv, int64_t seq) {
  auto stmt = db_.Cached(
      "SELECT user_id FROM members WHERE conv_id = ?1 AND removed_seq IS NULL "
      "AND delivered_seq >= ?2 ORDER BY user_id");
  stmt->Bind(1, conv).Bind(2, seq);
  std::vector<std::string> users;
  while (stmt->Step() == Step::kRow) users.push_back(stmt->Text(0));
  return users;
}

int64_t ConversationStore::ConversationCount() {
  auto stmt = db_.Cached("SELECT count(*) FROM conversations");
  stmt->Step();
  return stmt->Int(0);
}

void ConversationStore::Prefetch(const std::vector<std::string>& convs) {
  std::vector<Key> keys;
  for (const std::string& conv : convs) {
    keys.push_back({conv});
    convs_.try_emplace(conv);  // none read: no such conversation
  }
  LookUpKeys(db_, "conv", std::move(keys),
             "SELECT c.id, c.kind, m.user_id FROM conversations c JOIN keys k ON c.id = k.conv "
             "LEFT JOIN members m ON m.conv_id = c.id AND m.removed_seq IS NULL "
             "ORDER BY c.id, m.user_id",
             [&](Statement& row) {
               Prefetched& conv = convs_[row.Text(0)];
               conv.kind = row.Text(1);
               if (!row.IsNull(2)) conv.members.push_back(row.Text(2));
             });
}

void ConversationStore::PrefetchDevices(const std::vector<std::string>& users) {
  std::vector<Key> keys;
  for (const std::string& user : users) {
    keys.push_back({user});
    devices_.try_emplace(user);
  }
  LookUpKeys(db_, "user_id", std::move(keys),
             "SELECT d.user_id, d.id FROM devices d JOIN keys k ON d.user_id = k.user_id "
             "ORDER BY d.user_id, d.id",
             [&](Statement& row) { devices_[row.Text(0)].push_back(row.Text(1)); });
}

void ConversationStore::PrefetchActiveUsers(const std::vector<std::string>& users) {
  std::vector<Key> keys;
  for (const std::string& user : users) {
    keys.push_back({user});
    active_users_[user] = false;
  }
  LookUpKeys(db_, "user_id", std::move(keys),
             "SELECT u.id FROM users u JOIN keys k ON u.id = k.user_id WHERE u.disabled = 0",
             [&](Statement& row) { active_users_[row.Text(0)] = true; });
}

std::vector<std::string> ConversationStore::PrefetchDirect(
    const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<Key> keys;
  for (const auto& [a, b] : pairs) {
    keys.push_back({DirectKey(a, b)});
    directs_.try_emplace(keys.back()[0]);
  }
  std::vector<std::string> found;
  LookUpKeys(db_, "direct_key", std::move(keys),
             "SELECT c.direct_key, c.id FROM conversations c "
             "JOIN keys k ON c.direct_key = k.direct_key",
             [&](Statement& row) {
               directs_[row.Text(0)] = row.Text(1);
               found.push_back(row.Text(1));
             });
  return found;
}

void ConversationStore::ForgetPrefetched() {
  convs_.clear();
  devices_.clear();
  active_users_.clear();
  directs_.clear();
}

}  // namespace chat
