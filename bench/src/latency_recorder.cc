// Exact percentiles over sorted samples.
#include "latency_recorder.h"

#include <algorithm>
#include <cmath>

namespace bench {

LatencySummary LatencyRecorder::Summarize() {
  LatencySummary s;
  s.count = samples_ns_.size();
  if (samples_ns_.empty()) return s;
  std::sort(samples_ns_.begin(), samples_ns_.end());
  auto at = [this](double q) {
    auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples_ns_.size())));
    rank = std::clamp<std::size_t>(rank, 1, samples_ns_.size());
    return static_cast<double>(samples_ns_[rank - 1]) / 1e6;
  };
  s.p50_ms = at(0.50);
  s.p90_ms = at(0.90);
  s.p99_ms = at(0.99);
  s.p999_ms = at(0.999);
  s.max_ms = static_cast<double>(samples_ns_.back()) / 1e6;
  return s;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace bench
