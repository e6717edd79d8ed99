// `delivered` and `read`: monotonic receipt cursors. Moves are validated as
// they come and coalesced per (conversation, user) within a batch, so a burst
// of receipts costs one update and one `receipt` event per user. The event
// goes to both members of a direct conversation; in a group, only to the
// user's own devices and to the senders of the messages the move covers, so
// that one read in a group of 500 is a few copies, not 500 (a member who
// wants everyone's state asks `receipts`). Writer thread only; one instance
// per batch.
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
  // The other users who get the `receipt` event of `user` whose cursors in
  // `conv` moved from `read_before` to `delivered_now` (the user's own
  // devices get it on their device topics).
  static std::vector<std::string> Audience(WriteContext& ctx, const std::string& conv,
                                           const std::string& user, int64_t read_before,
                                           int64_t delivered_now);

  std::map<std::pair<std::string, std::string>, Pending> pending_;  // (conv, user)
};

}  // namespace chat
