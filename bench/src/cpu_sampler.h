// CPU use of named processes over an interval, plus "others": whatever else
// kept the machine's CPUs busy meanwhile (other users' builds and tests on a
// shared machine), which is what makes tail latencies unreliable.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace bench {

using ProcessList = std::vector<std::pair<std::string, pid_t>>;
using CpuShares = std::vector<std::pair<std::string, double>>;  // % of one core

class CpuSampler {
 public:
  explicit CpuSampler(ProcessList watch);
  // Starts (or restarts) the interval.
  void Start();
  // Each watched process's share of one core since Start(), then "others".
  CpuShares Finish() const;

 private:
  ProcessList watch_;
  std::vector<double> start_cpu_s_;
  double start_busy_s_ = 0;
  int64_t start_ns_ = 0;
};

// CPU time of this process and of its children that have been waited for.
double OwnTreeCpuSeconds();

// Busy time of all CPUs since boot (/proc/stat: everything but idle and iowait), in seconds.
double MachineBusySeconds();

}  // namespace bench
