// The interval summary of push outcomes.
#include "push_stats.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace chat::push {

void PushStats::Record(const std::string& provider, const std::string& verdict,
                       const std::string& reason, double latency_ms) {
  ++counts_[{provider, verdict, reason}];
  if (latency_ms > 0) latencies_ms_.push_back(latency_ms);
}

std::string PushStats::TakeSummary(int64_t queue_depth) {
  std::ostringstream line;
  line << "push stats: queue " << queue_depth;
  if (counts_.empty()) line << "; no provider requests";
  for (const auto& [key, count] : counts_) {
    const auto& [provider, verdict, reason] = key;
    line << "; " << provider << " " << verdict;
    if (!reason.empty()) line << " (" << reason << ")";
    line << " " << count;
  }
  if (!latencies_ms_.empty()) {
    std::sort(latencies_ms_.begin(), latencies_ms_.end());
    auto at = [&](double q) {
      auto i =
          static_cast<std::size_t>(std::ceil(q * static_cast<double>(latencies_ms_.size()))) - 1;
      return latencies_ms_[std::min(i, latencies_ms_.size() - 1)];
    };
    line.precision(1);
    line << std::fixed << "; latency p50 " << at(0.5) << " ms, p99 " << at(0.99) << " ms, max "
         << latencies_ms_.back() << " ms";
  }
  counts_.clear();
  latencies_ms_.clear();
  return line.str();
}

}  // namespace chat::push
