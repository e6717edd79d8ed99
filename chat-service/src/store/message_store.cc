// Message persistence and range reads.
#include "store/message_store.h"

#include <algorithm>

namespace chat {

namespace {
using Step = Statement::StepResult;
constexpr const char* kColumns =
    "seq, ts_ms, sender, device, cmid, body, kind, coalesce(event, '')";
}  // namespace

MessageStore::MessageStore(Database& db) : db_(db) {}

std::vector<StoredMessage> MessageStore::Collect(Database::Lease& stmt, const std::string& conv) {
  std::vector<StoredMessage> out;
  while (stmt->Step() == Step::kRow) {
    out.push_back(StoredMessage{conv, stmt->Int(0), stmt->Int(1), stmt->Text(2), stmt->Text(3),
                                stmt->Text(4), stmt->Text(5), stmt->Text(6), stmt->Text(7)});
  }
  return out;
}

std::optional<StoredMessage> MessageStore::FindByClientId(const std::string& conv,
                                                          const std::string& sender,
                                                          const std::string& cmid) {
  if (auto known = client_ids_.find(Key{conv, sender, cmid}); known != client_ids_.end()) {
    return known->second;
  }
  return FindStored(conv, sender, cmid);
}

std::optional<StoredMessage> MessageStore::FindStored(const std::string& conv,
                                                      const std::string& sender,
                                                      const std::string& cmid) {
  auto stmt = db_.Cached(std::string("SELECT ") + kColumns +
                         " FROM messages WHERE conv_id = ?1 AND sender = ?2 AND cmid = ?3");
  stmt->Bind(1, conv).Bind(2, sender).Bind(3, cmid);
  auto found = Collect(stmt, conv);
  if (found.empty()) return std::nullopt;
  return found.front();
}

int64_t MessageStore::Append(StoredMessage& message) {
  if (auto last = last_seqs_.find(message.conv); last != last_seqs_.end()) {
    message.seq = ++last->second;
    auto next = db_.Cached("UPDATE conversations SET last_seq = ?2 WHERE id = ?1");
    next->Bind(1, message.conv).Bind(2, message.seq);
    next->RunDeferred();
  } else {
    auto next = db_.Cached(
        "UPDATE conversations SET last_seq = last_seq + 1 WHERE id = ?1 RETURNING last_seq");
    next->Bind(1, message.conv);
    if (next->Step() != Step::kRow) {
      throw StoreFailure("conversation " + message.conv + " vanished during append");
    }
    message.seq = next->Int(0);
  }
  auto insert = db_.Cached(
      "INSERT INTO messages (conv_id, seq, sender, device, cmid, ts_ms, body, kind, event) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, nullif(?9, ''))");
  insert->Bind(1, message.conv)
      .Bind(2, message.seq)
      .Bind(3, message.from)
      .Bind(4, message.device)
      .Bind(5, message.cmid)
      .Bind(6, message.ts_ms)
      .Bind(7, message.body)
      .Bind(8, message.kind)
      .Bind(9, message.event);
  insert->RunDeferred();
  if (!client_ids_.empty()) client_ids_[Key{message.conv, message.from, message.cmid}] = message;
  return message.seq;
}

void MessageStore::PrefetchClientIds(const std::vector<Key>& keys) {
  // One lookup of the unique index per key, as a scalar subquery (a join,
  // or an EXISTS, which PostgreSQL turns into one, can be planned as a scan
  // of the whole table: a plan kept from when the table was small). Resent
  // messages are few: the ones found are read again one by one.
  std::vector<Key> stored;
  LookUpKeys(db_, "conv, sender, cmid", keys,
             "SELECT k.conv, k.sender, k.cmid FROM keys k WHERE (SELECT m.seq FROM messages m "
             "WHERE m.conv_id = k.conv AND m.sender = k.sender AND m.cmid = k.cmid) IS NOT NULL",
             [&](Statement& row) {
               stored.push_back({row.Text(0), row.Text(1), row.Text(2)});
             });
  for (const Key& key : keys) client_ids_.try_emplace(key);
  for (const Key& key : stored) client_ids_[key] = FindStored(key[0], key[1], key[2]);
}

void MessageStore::PrefetchLastSeqs(const std::vector<std::string>& convs) {
  std::vector<Key> keys;
  for (const std::string& conv : convs) keys.push_back({conv});
  LookUpKeys(
      db_, "conv", std::move(keys),
      "SELECT c.id, c.last_seq FROM conversations c JOIN keys k ON c.id = k.conv ORDER BY c.id",
      [&](Statement& row) { last_seqs_[row.Text(0)] = row.Int(1); },
      db_.engine() == Database::Engine::kPostgres ? " FOR UPDATE OF c" : "");
}

void MessageStore::ForgetPrefetched() {
  client_ids_.clear();
  last_seqs_.clear();
}

std::vector<StoredMessage> MessageStore::After(const std::string& conv, int64_t after, int64_t upto,
                                               int64_t limit) {
  auto stmt = db_.Cached(std::string("SELECT ") + kColumns +
                         " FROM messages WHERE conv_id = ?1 AND seq > ?2 AND seq <= ?3 "
                         "ORDER BY seq LIMIT ?4");
  stmt->Bind(1, conv).Bind(2, after).Bind(3, upto).Bind(4, limit);
  return Collect(stmt, conv);
}

std::vector<StoredMessage> MessageStore::Before(const std::string& conv, int64_t before,
                                                int64_t from, int64_t limit) {
  auto stmt = db_.Cached(std::string("SELECT ") + kColumns +
                         " FROM messages WHERE conv_id = ?1 AND seq < ?2 AND seq >= ?3 "
                         "ORDER BY seq DESC LIMIT ?4");
  stmt->Bind(1, conv).Bind(2, before).Bind(3, from).Bind(4, limit);
  auto out = Collect(stmt, conv);
  std::reverse(out.begin(), out.end());
  return out;
}

int64_t MessageStore::CountUnread(const std::string& conv, const std::string& user, int64_t after,
                                  int64_t upto) {
  auto stmt = db_.Cached(
      "SELECT count(*) FROM messages WHERE conv_id = ?1 AND seq > ?2 AND seq <= ?3 "
      "AND sender != ?4");
  stmt->Bind(1, conv).Bind(2, after).Bind(3, upto).Bind(4, user);
  stmt->Step();
  return stmt->Int(0);
}

std::vector<std::string> MessageStore::SendersBetween(const std::string& conv, int64_t after,
                                                      int64_t upto, int64_t limit) {
  auto stmt = db_.Cached(
      "SELECT DISTINCT sender FROM (SELECT sender FROM messages "
      "WHERE conv_id = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq DESC LIMIT ?4) AS recent");
  stmt->Bind(1, conv).Bind(2, after).Bind(3, upto).Bind(4, limit);
  std::vector<std::string> senders;
  while (stmt->Step() == Statement::StepResult::kRow) senders.push_back(stmt->Text(0));
  return senders;
}

int64_t MessageStore::MessageCount() {
  auto stmt = db_.Cached("SELECT count(*) FROM messages");
  stmt->Step();
  return stmt->Int(0);
}

}  // namespace chat
