// Conversation and message persistence.
#include "store/message_store.h"

#include "chat/ids.h"

namespace chat {

namespace {
using Step = Statement::StepResult;

// Resets a statement when the scope ends, whatever happened.
struct ResetOnExit {
  Statement& stmt;
  ~ResetOnExit() { stmt.Reset(); }
};
}  // namespace

MessageStore::MessageStore(Database& db)
    : db_(db),
      user_exists_(db.Prepare("SELECT 1 FROM users WHERE id = ?1 AND disabled = 0")),
      find_direct_(db.Prepare("SELECT id FROM conversations WHERE direct_key = ?1")),
      insert_conversation_(db.Prepare(
          "INSERT INTO conversations (id, kind, direct_key, created_ms) VALUES (?1, ?2, ?3, ?4)")),
      insert_member_(db.Prepare(
          "INSERT INTO members (conv_id, user_id, role, joined_ms) VALUES (?1, ?2, ?3, ?4)")),
      conversation_kind_(db.Prepare("SELECT kind FROM conversations WHERE id = ?1")),
      members_(db.Prepare("SELECT user_id FROM members WHERE conv_id = ?1 ORDER BY user_id")),
      is_member_(db.Prepare("SELECT 1 FROM members WHERE conv_id = ?1 AND user_id = ?2")),
      find_by_cmid_(db.Prepare(
          "SELECT seq, ts_ms, device, body FROM messages "
          "WHERE conv_id = ?1 AND sender = ?2 AND cmid = ?3")),
      next_seq_(db.Prepare(
          "UPDATE conversations SET last_seq = last_seq + 1 WHERE id = ?1 RETURNING last_seq")),
      insert_message_(db.Prepare(
          "INSERT INTO messages (conv_id, seq, sender, device, cmid, ts_ms, body) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")) {}

std::string MessageStore::DirectKey(const std::string& a, const std::string& b) {
  return a < b ? a + ":" + b : b + ":" + a;
}

bool MessageStore::UserExists(const std::string& user) {
  ResetOnExit reset{user_exists_};
  user_exists_.Bind(1, user);
  return user_exists_.Step() == Step::kRow;
}

std::optional<std::string> MessageStore::FindDirect(const std::string& a, const std::string& b) {
  ResetOnExit reset{find_direct_};
  find_direct_.Bind(1, DirectKey(a, b));
  if (find_direct_.Step() != Step::kRow) return std::nullopt;
  return find_direct_.Text(0);
}

std::string MessageStore::CreateDirect(const std::string& a, const std::string& b,
                                       int64_t now_ms) {
  std::string conv = NewConversationId();
  insert_conversation_.Bind(1, conv).Bind(2, "direct").Bind(3, DirectKey(a, b)).Bind(4, now_ms);
  if (insert_conversation_.Run() == Step::kConstraint) {
    throw StoreFailure("direct conversation " + DirectKey(a, b) + " could not be created");
  }
  for (const std::string& user : {a, b}) {
    insert_member_.Bind(1, conv).Bind(2, user).Bind(3, "member").Bind(4, now_ms);
    if (insert_member_.Run() == Step::kConstraint) {
      throw StoreFailure("member " + user + " of " + conv + " could not be added");
    }
  }
  return conv;
}

bool MessageStore::ConversationExists(const std::string& conv) {
  return !ConversationKind(conv).empty();
}

std::string MessageStore::ConversationKind(const std::string& conv) {
  ResetOnExit reset{conversation_kind_};
  conversation_kind_.Bind(1, conv);
  return conversation_kind_.Step() == Step::kRow ? conversation_kind_.Text(0) : std::string();
}

std::vector<std::string> MessageStore::Members(const std::string& conv) {
  ResetOnExit reset{members_};
  members_.Bind(1, conv);
  std::vector<std::string> users;
  while (members_.Step() == Step::kRow) users.push_back(members_.Text(0));
  return users;
}

bool MessageStore::IsMember(const std::string& conv, const std::string& user) {
  ResetOnExit reset{is_member_};
  is_member_.Bind(1, conv).Bind(2, user);
  return is_member_.Step() == Step::kRow;
}

std::optional<StoredMessage> MessageStore::FindByClientId(const std::string& conv,
                                                          const std::string& sender,
                                                          const std::string& cmid) {
  ResetOnExit reset{find_by_cmid_};
  find_by_cmid_.Bind(1, conv).Bind(2, sender).Bind(3, cmid);
  if (find_by_cmid_.Step() != Step::kRow) return std::nullopt;
  return StoredMessage{conv,   find_by_cmid_.Int(0),  find_by_cmid_.Int(1),
                       sender, find_by_cmid_.Text(2), cmid,
                       find_by_cmid_.Text(3)};
}

int64_t MessageStore::Append(StoredMessage& message) {
  {
    ResetOnExit reset{next_seq_};
    next_seq_.Bind(1, message.conv);
    if (next_seq_.Step() != Step::kRow) {
      throw StoreFailure("conversation " + message.conv + " vanished during append");
    }
    message.seq = next_seq_.Int(0);
  }
  insert_message_.Bind(1, message.conv)
      .Bind(2, message.seq)
      .Bind(3, message.from)
      .Bind(4, message.device)
      .Bind(5, message.cmid)
      .Bind(6, message.ts_ms)
      .Bind(7, message.body);
  if (insert_message_.Run() == Step::kConstraint) {
    throw StoreFailure("message " + message.conv + "#" + std::to_string(message.seq) +
                       " violates a constraint");
  }
  return message.seq;
}

int64_t MessageStore::MessageCount() {
  auto stmt = db_.Prepare("SELECT count(*) FROM messages");
  stmt.Step();
  return stmt.Int(0);
}

int64_t MessageStore::ConversationCount() {
  auto stmt = db_.Prepare("SELECT count(*) FROM conversations");
  stmt.Step();
  return stmt.Int(0);
}

}  // namespace chat
