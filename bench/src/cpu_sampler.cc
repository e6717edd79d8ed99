// /proc-based CPU accounting.
#include "cpu_sampler.h"

#include <sys/resource.h>
#include <unistd.h>

#include <sstream>

#include "broker_process.h"
#include "clock.h"

namespace bench {

double MachineBusySeconds() {
  std::istringstream stat(ReadTextFile("/proc/stat"));
  std::string cpu;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  return (user + nice + system + irq + softirq + steal) /
         static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double OwnTreeCpuSeconds() {
  double total = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage usage{};
    ::getrusage(who, &usage);
    total += static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
             static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  }
  return total;
}

CpuSampler::CpuSampler(ProcessList watch) : watch_(std::move(watch)) { Start(); }

void CpuSampler::Start() {
  start_cpu_s_.clear();
  for (const auto& w : watch_) start_cpu_s_.push_back(ProcessCpuSeconds(w.second));
  start_busy_s_ = MachineBusySeconds();
  start_ns_ = MonotonicNs();
}

CpuShares CpuSampler::Finish() const {
  double wall_s = SecondsBetween(start_ns_, MonotonicNs());
  CpuShares shares;
  double ours = 0;
  for (std::size_t i = 0; i < watch_.size(); ++i) {
    double used = ProcessCpuSeconds(watch_[i].second) - start_cpu_s_[i];
    ours += used;
    shares.emplace_back(watch_[i].first, 100.0 * used / wall_s);
  }
  double others = MachineBusySeconds() - start_busy_s_ - ours;
  shares.emplace_back("others", others > 0 ? 100.0 * others / wall_s : 0.0);
  return shares;
}

}  // namespace bench
