// One committed batch of outgoing events, encoded as the payload of a
// $CONTROL/chat/v2/fanout publish (docs/PROTOCOL.md, "Fan-out";
// chat/fanout_frames.h). The broker plugin makes one QoS 1 copy per listed topic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chat/protocol.h"

namespace chat {

// A batch's copies that may wait behind the others and give way under
// pressure (chatd/paced_lane.h): a message's live copies to the members of
// a large conversation, who can fill a gap by `sync` (kMessageCopies; `conv`
// and `seq` name the message for the `head` hint that replaces them), and
// `typing`, worthless once late (kTyping).
struct PacedItem {
  enum class Kind { kMessageCopies, kTyping };
  Kind kind = Kind::kMessageCopies;
  std::vector<std::string> topics;
  std::string payload;
  std::string conv;  // kMessageCopies only
  int64_t seq = 0;   // kMessageCopies only
};

class FanoutBatch {
 public:
  // Queues `payload` for every topic in `topics`.
  void Add(std::vector<std::string> topics, std::string payload);
  // Queues `payload` for one topic.
  void AddOne(std::string topic, std::string payload);
  // Queues the live copies of message (`conv`, `seq`) to its recipients'
  // topics: sent with the rest unless TakePaced takes them.
  void AddMessageCopies(std::vector<std::string> topics, std::string payload, std::string conv,
                        int64_t seq);
  // Queues a `typing` event: sent with the rest unless TakePaced takes it.
  void AddTyping(std::vector<std::string> topics, std::string payload);
  // Removes and returns, in order, the items for the paced lane: message
  // copies to at least `large` recipients and every `typing`. `large` 0
  // takes nothing (no paced lane).
  std::vector<PacedItem> TakePaced(std::size_t large);
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  void Clear() { items_.clear(); }
  // Drops every item added after the first `count`.
  void Truncate(std::size_t count) {
    if (count < items_.size()) items_.resize(count);
  }

  // The control payloads, in order. A batch is split so that no payload
  // lists more than `max_copies` copies, keeping each plugin callback short,
  // and none is longer than `max_bytes`, the broker's packet limit less the
  // topic (an item's topic list is split when needed). An item whose payload
  // cannot fit even with one topic is left out and counted in `*oversize`:
  // publishing it would only get chatd disconnected by the broker.
  std::vector<std::string> Encode(std::size_t max_copies = 1000,
                                  std::size_t max_bytes = protocol::kMaxServicePayloadBytes,
                                  std::size_t* oversize = nullptr) const;

 private:
  struct Item {
    std::vector<std::string> topics;
    std::string payload;
    std::optional<PacedItem::Kind> paced;  // may go to the paced lane
    std::string conv;
    int64_t seq = 0;
  };
  std::vector<Item> items_;
};

}  // namespace chat
