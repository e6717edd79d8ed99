// Latency samples of one measurement and their percentiles.
#pragma once

#include <cstdint>
#include <vector>

namespace bench {

struct LatencySummary {
  std::size_t count = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
};

// Keeps every sample (a few hundred thousand at most per level), so the
// percentiles are exact rather than bucketed.
class LatencyRecorder {
 public:
  void Reserve(std::size_t n) { samples_ns_.reserve(n); }
  void Add(int64_t latency_ns) { samples_ns_.push_back(latency_ns); }
  std::size_t count() const { return samples_ns_.size(); }
  // Sorts the samples; call once at the end.
  LatencySummary Summarize();

 private:
  std::vector<int64_t> samples_ns_;
};

// The median of a few figures (of rounds), the upper one of an even count; 0 for none.
double Median(std::vector<double> values);

}  // namespace bench
