// Conversations, members and messages in SQLite: the sequencing and dedupe
// record. Used only by chatd's writer thread, inside its transactions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "chat/database.h"
#include "store/records.h"

namespace chat {

class MessageStore {
 public:
  // Prepares every statement once; `db` must outlive the store.
  explicit MessageStore(Database& db);

  bool UserExists(const std::string& user);
  // The direct conversation of two distinct users, if it exists.
  std::optional<std::string> FindDirect(const std::string& a, const std::string& b);
  // Creates the direct conversation of two existing users with both as members.
  std::string CreateDirect(const std::string& a, const std::string& b, int64_t now_ms);
  bool ConversationExists(const std::string& conv);
  std::string ConversationKind(const std::string& conv);
  std::vector<std::string> Members(const std::string& conv);
  bool IsMember(const std::string& conv, const std::string& user);

  // The message `sender` already sent with `cmid` in `conv`, if any.
  std::optional<StoredMessage> FindByClientId(const std::string& conv, const std::string& sender,
                                              const std::string& cmid);
  // Assigns the next seq of `message.conv`, stores the message, and returns
  // the assigned seq. The caller holds a write transaction.
  int64_t Append(StoredMessage& message);

  // Counts for tests and operators.
  int64_t MessageCount();
  int64_t ConversationCount();

 private:
  static std::string DirectKey(const std::string& a, const std::string& b);

  Database& db_;
  Statement user_exists_;
  Statement find_direct_;
  Statement insert_conversation_;
  Statement insert_member_;
  Statement conversation_kind_;
  Statement members_;
  Statement is_member_;
  Statement find_by_cmid_;
  Statement next_seq_;
  Statement insert_message_;
};

}  // namespace chat
