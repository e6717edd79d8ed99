// What the report says about the machine a run happened on.
#pragma once

#include <string>

namespace bench {

struct MachineInfo {
  int cpus = 0;
  std::string cpu_model;
  std::string kernel;
  std::string mosquitto_version;
  std::string libmosquitto_version;
  long nofile_hard = 0;
  long memory_mb = 0;
};

MachineInfo DescribeMachine(const std::string& mosquitto_path);
// The 1-, 5- and 15-minute load averages, as /proc/loadavg has them.
std::string LoadAverages();
// Local date and time, e.g. "2026-11-24 10:41:07".
std::string LocalTimestamp(const char* format = "%Y-%m-%d %H:%M:%S");

}  // namespace bench
