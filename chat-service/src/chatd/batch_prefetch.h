// What a batch of sends will ask of the stores, read before the first send
// is applied: a few statements per batch instead of several per message.
// On SQLite a read is a function call; on PostgreSQL each is a round trip,
// and without this a 1:1 send made eight of them (docs/ARCHITECTURE.md,
// "Storage"). What is read is the batch transaction's own view, so it stays
// true while the batch applies sends, receipts and last-seen updates (the
// stores keep their prefetched reads true across their own writes: a new
// message, a member added). Any other command may change members, blocks,
// mutes or push tokens in ways another store read: the writer forgets all
// of it before such a command, and the sends after it read as before.
#pragma once

#include <cstdint>
#include <vector>

#include "chatd/command.h"
#include "store/conversation_store.h"
#include "store/message_store.h"
#include "store/privacy_store.h"
#include "store/push_store.h"

namespace chat {

class BatchPrefetch {
 public:
  BatchPrefetch(ConversationStore& conversations, MessageStore& messages, PrivacyStore& privacy,
                PushStore& push)
      : conversations_(conversations), messages_(messages), privacy_(privacy), push_(push) {}

  // Reads what the sends among `commands` will ask: for a send `to` a user,
  // whether that user is active and their direct conversation; then for
  // every conversation known, its kind, members and last seq (locked on
  // PostgreSQL), which of the client message ids are stored, the blocks
  // between senders and direct partners, the senders' devices, the push
  // targets.
  void Load(const std::vector<Command>& commands, int64_t now_ms);
  // Drops all of it; reads go to the database again.
  void Forget();
  // Whether applying `command` leaves what was read true.
  static bool Keeps(const Command& command);

 private:
  ConversationStore& conversations_;
  MessageStore& messages_;
  PrivacyStore& privacy_;
  PushStore& push_;
};

}  // namespace chat
