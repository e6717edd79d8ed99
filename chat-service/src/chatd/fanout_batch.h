// One committed batch of outgoing events, encoded as the payload of a
// $CONTROL/chat/v2/fanout publish (docs/PROTOCOL.md, "Fan-out";
// chat/fanout_frames.h). The broker plugin makes one QoS 1 copy per listed topic.
#pragma once

#include <string>
#include <vector>

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

  // The control payloads; a batch is split so that no payload lists more than
  // `max_copies` copies, keeping each plugin callback short (DESIGN.md), and
  // none carries more than `max_bytes` of event payloads (unless one event
  // alone is larger), keeping each publish under the broker's packet limit.
  std::vector<std::string> Encode(std::size_t max_copies = 1000,
                                  std::size_t max_bytes = 1 << 20) const;

 private:
  struct Item {
    std::vector<std::string> topics;
    std::string payload;
  };
  std::vector<Item> items_;
};

}  // namespace chat
