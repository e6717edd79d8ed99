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
  auto stmt = db_.Cached(std::string("SELECT ") + kColumns +
                         " FROM messages WHERE conv_id = ?1 AND sender = ?2 AND cmid = ?3");
  stmt->Bind(1, conv).Bind(2, sender).Bind(3, cmid);
  auto found = Collect(stmt, conv);
  if (found.empty()) return std::nullopt;
  return found.front();
}

int64_t MessageStore::Append(StoredMessage& message) {
  {
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
  if (insert->Run() == Step::kConstraint) {
    throw StoreFailure("message " + message.conv + "#" + std::to_string(message.seq) +
                       " violates a constraint");
  }
  return message.seq;
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
