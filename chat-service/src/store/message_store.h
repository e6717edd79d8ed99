// Messages in SQLite: the sequencing and dedupe record, and the index range
// scans that serve sync and history. Appends happen on chatd's writer thread
// inside its transactions; the range reads also serve the query thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "chat/database.h"
#include "store/key_lookup.h"
#include "store/records.h"

namespace chat {

class MessageStore {
 public:
  explicit MessageStore(Database& db);

  // The message `sender` already sent with `cmid` in `conv`, if any.
  std::optional<StoredMessage> FindByClientId(const std::string& conv, const std::string& sender,
                                              const std::string& cmid);
  // Assigns the next seq of `message.conv`, stores the message and returns
  // the seq. The caller holds a write transaction. A seq prefetched for the
  // conversation is counted on here, and the writes go out deferred
  // (Statement::RunDeferred): a violation fails the transaction later.
  int64_t Append(StoredMessage& message);

  // --- Prefetching (chatd's writer, chatd/batch_prefetch.h) ---
  // Reads, for a whole batch at once, which of these (conv, sender, cmid)
  // keys are stored, and the last seq of these conversations (locking their
  // rows on PostgreSQL, as Append's own update would); FindByClientId and
  // Append answer from that until ForgetPrefetched, and Append keeps it true.
  void PrefetchClientIds(const std::vector<Key>& keys);
  void PrefetchLastSeqs(const std::vector<std::string>& convs);
  void ForgetPrefetched();

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
  // FindByClientId in the database.
  std::optional<StoredMessage> FindStored(const std::string& conv, const std::string& sender,
                                          const std::string& cmid);
  std::vector<StoredMessage> Collect(Database::Lease& stmt, const std::string& conv);

  Database& db_;
  // Prefetched: a key -> its message, or none (known not to be stored).
  std::map<Key, std::optional<StoredMessage>> client_ids_;
  std::unordered_map<std::string, int64_t> last_seqs_;  // conv -> its last seq
};

}  // namespace chat
