// One committed batch of outgoing events, encoded as the payload of a
// $CONTROL/chat/v2/fanout publish (docs/PROTOCOL.md, "Fan-out";
// chat/fanout_frames.h). The broker plugin makes one QoS 1 copy per listed topic.
#pragma once

#include <string>
#include <vector>

#include "chat/protocol.h"

namespace chat {

class FanoutBatch {
 public:
  // Queues `payload` for every topic in `topics`.
  void Add(std::vector<std::string> topics, std::string payload);
  // Queues `payload` for one topic.
  void AddOne(std::string topic, std::string payload);
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
  };
  std::vector<Item> items_;
};

}  // namespace chat
