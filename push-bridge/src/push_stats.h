// What pushd did, for operators: pushes by provider, verdict and reason,
// tokens deleted, and provider latency, logged as one line per interval
// (the operations issue will expose the same counts as metrics).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace chat::push {

class PushStats {
 public:
  // One provider answer (or the lack of one).
  void Record(const std::string& provider, const std::string& verdict, const std::string& reason,
              double latency_ms);
  // One line: counts by provider/verdict/reason, latency p50/p99/max, and
  // `queue_depth`; then starts over.
  std::string TakeSummary(int64_t queue_depth);

 private:
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> counts_;
  std::vector<double> latencies_ms_;
};

}  // namespace chat::push
