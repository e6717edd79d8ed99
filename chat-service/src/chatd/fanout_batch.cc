// Control payload encoding for the broker plugin's fan-out.
#include "chatd/fanout_batch.h"

#include <algorithm>
#include <span>

#include "chat/fanout_frames.h"

namespace chat {

void FanoutBatch::Add(std::vector<std::string> topics, std::string payload) {
  if (topics.empty()) return;
  items_.push_back({std::move(topics), std::move(payload), std::nullopt, "", 0});
}

void FanoutBatch::AddOne(std::string topic, std::string payload) {
  items_.push_back({{std::move(topic)}, std::move(payload), std::nullopt, "", 0});
}

void FanoutBatch::AddMessageCopies(std::vector<std::string> topics, std::string payload,
                                   std::string conv, int64_t seq) {
  if (topics.empty()) return;
  items_.push_back({std::move(topics), std::move(payload), PacedItem::Kind::kMessageCopies,
                    std::move(conv), seq});
}

void FanoutBatch::AddTyping(std::vector<std::string> topics, std::string payload) {
  if (topics.empty()) return;
  items_.push_back({std::move(topics), std::move(payload), PacedItem::Kind::kTyping, "", 0});
}

std::vector<PacedItem> FanoutBatch::TakePaced(std::size_t large) {
  std::vector<PacedItem> paced;
  if (large == 0) return paced;
  std::vector<Item> kept;
  kept.reserve(items_.size());
  for (Item& item : items_) {
    bool take = item.paced == PacedItem::Kind::kTyping ||
                (item.paced == PacedItem::Kind::kMessageCopies && item.topics.size() >= large);
    if (take) {
      paced.push_back({*item.paced, std::move(item.topics), std::move(item.payload),
                       std::move(item.conv), item.seq});
    } else {
      kept.push_back(std::move(item));
    }
  }
  items_ = std::move(kept);
  return paced;
}

namespace {
// The bytes one item takes in a control payload (chat/fanout_frames.h).
std::size_t ItemHeaderBytes(std::size_t topics, std::size_t payload) {
  return std::to_string(topics).size() + std::to_string(payload).size() + 2 + payload + 1;
}
}  // namespace

std::vector<std::string> FanoutBatch::Encode(std::size_t max_copies, std::size_t max_bytes,
                                             std::size_t* oversize) const {
  std::vector<std::string> payloads;
  std::string control;
  std::size_t copies = 0;
  auto flush = [&] {
    if (control.empty()) return;
    payloads.push_back(std::move(control));
    control.clear();
    copies = 0;
  };
  max_copies = std::max<std::size_t>(max_copies, 1);
  for (const Item& item : items_) {
    // Header digits are counted for the whole list, an upper bound for any part of it.
    const std::size_t fixed = ItemHeaderBytes(item.topics.size(), item.payload.size());
    std::size_t longest = 0;
    for (const std::string& topic : item.topics) longest = std::max(longest, topic.size());
    // Each topic must fit with the payload in an empty control payload, or the
    // loop below could not place it.
    if (fixed + longest + 1 > max_bytes) {
      if (oversize) ++*oversize;
      continue;
    }
    std::span<const std::string> topics(item.topics);
    while (!topics.empty()) {
      if (copies >= max_copies || control.size() + fixed + topics[0].size() + 1 > max_bytes) {
        flush();
      }
      std::size_t bytes = control.size() + fixed;
      std::size_t take = 0;
      while (take < topics.size() && copies + take < max_copies &&
             bytes + topics[take].size() + 1 <= max_bytes) {
        bytes += topics[take].size() + 1;
        ++take;
      }
      AppendFanoutItem(control, topics.first(take), item.payload);
      copies += take;
      topics = topics.subspan(take);
    }
  }
  flush();
  return payloads;
}

}  // namespace chat
