// This is an internal header of the client library, not for apps.
// Per-conversation ordering and deduplication of a device's message streams
// by (conv, seq): what reaches the application is each conversation's
// messages exactly once, in seq order, without gaps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "chat/client/event.h"

namespace chat::client {

// For each conversation the sequencer knows a cursor: the highest seq such
// that every message up to it has been released. A message (msg or accepted)
//  - with seq <= cursor is a duplicate and dropped;
//  - with seq == cursor + 1 is released, followed by any held ones that are
//    now contiguous;
//  - with seq > cursor + 1 reveals a gap: it is held until the gap is filled
//    (the caller then asks the server with `sync`).
// A conversation without a cursor (never seen, nothing persisted) starts at
// seq 1 when seq 1 arrives; any other first message is held until a sync
// page (or the server's cursors) says where the device stands, because a
// member added later sees the stream only from the message that added it.
//
// Sync pages are complete by contract (PROTOCOL.md: "nothing is ever
// skipped"): a page message beyond cursor + 1 means the seqs in between are
// not visible to this user (e.g. before it was re-added), so the cursor moves
// up to it instead of waiting.
//
// Pure and single-threaded: owned by the client's worker thread.
class Sequencer {
 public:
  enum class Verdict { kReleased, kDuplicate, kHeld };
  struct Outcome {
    Verdict verdict = Verdict::kDuplicate;
    std::vector<Event> released;  // in release order (the offered event among them)
    bool gap_opened = false;      // held while nothing of its conversation was held before
  };

  // `cursors`: where the device stood (e.g. loaded from the state file).
  explicit Sequencer(std::map<std::string, int64_t> cursors = {});

  // A live msg/accepted. Events that are not sequenced are ignored (kDuplicate).
  Outcome Offer(Event event);

  // One sync page: its messages (ascending seq within each conversation) and
  // its `cursors`, which move a cursor forward (or set an unknown one).
  // Returns the released events in order.
  std::vector<Event> ApplySyncPage(std::vector<Event> messages,
                                   const std::map<std::string, int64_t>& cursors);

  // For a server without sync: every conversation without a cursor starts at
  // its lowest held message. Returns the released events.
  std::vector<Event> AdoptHeldStarts();

  std::optional<int64_t> Cursor(const std::string& conv) const;
  // Every known cursor: what the device sends in `sync` and persists.
  std::map<std::string, int64_t> Cursors() const;
  std::size_t held_count() const { return held_count_; }
  bool HoldsAnything() const { return held_count_ > 0; }

 private:
  struct Stream {
    std::optional<int64_t> cursor;
    std::map<int64_t, Event> held;
  };

  // Releases held events in order while they are contiguous with the cursor.
  void Drain(Stream& stream, std::vector<Event>& out);
  // Moves the cursor up to `target`, first releasing held events below it.
  void MoveTo(Stream& stream, int64_t target, std::vector<Event>& out);
  void Release(Stream& stream, Event event, std::vector<Event>& out);

  std::map<std::string, Stream> streams_;
  std::size_t held_count_ = 0;
};

}  // namespace chat::client
