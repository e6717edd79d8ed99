// This is an internal header of the client library, not for apps.
// The durable outbox: every send is stored here before it is published and
// stays until the backend answers it (PROTOCOL.md section 8, rule 4).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chat/client/chat_client.h"
#include "chat/database.h"

namespace chat::client {

// The request to (re)publish `entry`, with the same cmid.
SendRequest ToSendRequest(const OutboxEntry& entry);

// The outbox table of a state file (see OpenStateFile). Add commits before
// returning (synchronous=FULL), so a published send is always on disk first.
// SQL failures throw StoreFailure.
//
// Not thread-safe: one thread at a time uses it and its Database (the
// client's OutboxSender serializes them).
class Outbox {
 public:
  explicit Outbox(Database& db);

  enum class Added { kAdded, kAlreadyThere };
  // Stores a validated send (cmid set); `entry.id` is set when added. A cmid
  // already in the outbox is not stored twice.
  Added Add(OutboxEntry& entry);
  // Removes the entry with `cmid`; false when there was none.
  bool Remove(std::string_view cmid);
  // Every entry, in creation order.
  std::vector<OutboxEntry> LoadAll();

 private:
  Database& db_;
  Statement insert_;
  Statement remove_;
  Statement select_all_;
};

}  // namespace chat::client
