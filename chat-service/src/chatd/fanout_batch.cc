// Control payload encoding for the broker plugin's fan-out.
#include "chatd/fanout_batch.h"

#include <nlohmann/json.hpp>

namespace chat {

using json = nlohmann::json;

void FanoutBatch::Add(std::vector<std::string> topics, std::string payload) {
  if (topics.empty()) return;
  items_.push_back({std::move(topics), std::move(payload)});
}

void FanoutBatch::AddOne(std::string topic, std::string payload) {
  items_.push_back({{std::move(topic)}, std::move(payload)});
}

std::vector<std::string> FanoutBatch::Encode(std::size_t max_copies, std::size_t max_bytes) const {
  std::vector<std::string> payloads;
  json out = json::array();
  std::size_t copies = 0;
  std::size_t bytes = 0;
  auto flush = [&] {
    if (out.empty()) return;
    payloads.push_back(
        json{{"out", std::move(out)}}.dump(-1, ' ', false, json::error_handler_t::replace));
    out = json::array();
    copies = 0;
    bytes = 0;
  };
  for (const Item& item : items_) {
    if (bytes > 0 && bytes + item.payload.size() > max_bytes) flush();
    bytes += item.payload.size();
    // A single item larger than the limit is split into several items.
    for (std::size_t start = 0; start < item.topics.size();) {
      if (copies >= max_copies) flush();
      std::size_t take = std::min(item.topics.size() - start, max_copies - copies);
      json topics = json::array();
      for (std::size_t k = start; k < start + take; ++k) topics.push_back(item.topics[k]);
      out.push_back(json{{"topics", std::move(topics)}, {"payload", item.payload}});
      copies += take;
      start += take;
    }
  }
  flush();
  return payloads;
}

}  // namespace chat
