// Control payload encoding for the broker plugin's fan-out.
#include "chatd/fanout_batch.h"

#include <algorithm>
#include <span>

#include "chat/fanout_frames.h"

namespace chat {

void FanoutBatch::Add(std::vector<std::string> topics, std::string payload) {
  if (topics.empty()) return;
  items_.push_back({std::move(topics), std::move(payload)});
}

void FanoutBatch::AddOne(std::string topic, std::string payload) {
  items_.push_back({{std::move(topic)}, std::move(payload)});
}

std::vector<std::string> FanoutBatch::Encode(std::size_t max_copies, std::size_t max_bytes) const {
  std::vector<std::string> payloads;
  std::string control;
  std::size_t copies = 0;
  std::size_t bytes = 0;
  auto flush = [&] {
    if (control.empty()) return;
    payloads.push_back(std::move(control));
    control.clear();
    copies = 0;
    bytes = 0;
  };
  for (const Item& item : items_) {
    if (bytes > 0 && bytes + item.payload.size() > max_bytes) flush();
    bytes += item.payload.size();
    // A topic list longer than the copy limit is split into several items.
    std::span<const std::string> topics(item.topics);
    while (!topics.empty()) {
      if (copies >= max_copies) flush();
      std::size_t take = std::min(topics.size(), max_copies - copies);
      AppendFanoutItem(control, topics.first(take), item.payload);
      copies += take;
      topics = topics.subspan(take);
    }
  }
  flush();
  return payloads;
}

}  // namespace chat
