// Messages in SQLite: the sequencing and dedupe record, and the index range
// scans that serve sync and history. Appends happen on chatd's writer thread
// inside its transactions; the range reads also serve the query thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "chat/database.h"
#include "store/records.h"

namespace chat {

class MessageStore {
 public:
  explicit MessageStore(Database& db);

  // The message `sender` already sent with `cmid` in `conv`, if any.
  std::optional<StoredMessage> FindByClientId(const std::string& conv, const std::string& sender,
                                              const std::string& cmid);
  // Assigns the next seq of `message.conv`, stores the message and returns
  // the seq. The caller holds a write transaction.
  int64_t Append(StoredMessage& message);

  // Messages with after < seq <= upto, ascending, at most `limit`.
  std::vector<StoredMessage> After(const std::string& conv, int64_t after, int64_t upto,
                                   int64_t limit);
  // Messages with from <= seq < before, the newest `limit` of them, ascending.
  std::vector<StoredMessage> Before(const std::string& conv, int64_t before, int64_t from,
                                    int64_t limit);
  // Messages with after < seq <= upto not sent by `user`.
  int64_t CountUnread(const std::string& conv, const std::string& user, int64_t after,
                      int64_t upto);
  int64_t MessageCount();
  // The distinct senders of the newest `limit` messages with after < seq <= upto.
  std::vector<std::string> SendersBetween(const std::string& conv, int64_t after, int64_t upto,
                                          int64_t limit);

 private:
  std::vector<StoredMessage> Collect(Database::Lease& stmt, const std::string& conv);

  Database& db_;
};

}  // namespace chat
