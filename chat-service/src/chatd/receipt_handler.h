// `delivered` and `read`: monotonic receipt cursors. Moves are validated as
// they come and coalesced per (conversation, user) within a batch, so a burst
// of receipts costs one update and one `receipt` event per user. Writer
// thread only; one instance per batch.
#pragma once

#include <map>
#include <set>
#include <utility>

#include "chatd/write_context.h"

namespace chat {

class ReceiptHandler {
 public:
  void Handle(WriteContext& ctx, const Command& command, const CursorCommand& cursor);
  // Writes the coalesced moves and queues the `receipt` events.
  void Flush(WriteContext& ctx);

 private:
  struct Pending {
    int64_t delivered = 0;
    int64_t read = 0;
    std::map<std::string, int64_t> devices;  // device -> delivered
  };
  std::map<std::pair<std::string, std::string>, Pending> pending_;  // (conv, user)
};

}  // namespace chat
