// /proc, uname and `mosquitto -h` readings.
#include "machine_info.h"

#include <mosquitto.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <sstream>

#include "broker_process.h"

namespace bench {

namespace {

std::string FirstLineOf(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) return "";
  char line[256] = {};
  if (!std::fgets(line, sizeof(line), pipe.get())) return "";
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

std::string CpuModel() {
  std::istringstream info(ReadTextFile("/proc/cpuinfo"));
  std::string line;
  while (std::getline(info, line)) {
    if (line.starts_with("model name")) {
      auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(colon + 2);
    }
  }
  return "unknown";
}

}  // namespace

MachineInfo DescribeMachine(const std::string& mosquitto_path) {
  MachineInfo m;
  m.cpus = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
  m.cpu_model = CpuModel();
  utsname u{};
  if (::uname(&u) == 0) m.kernel = std::string(u.sysname) + " " + u.release;
  m.mosquitto_version = FirstLineOf(mosquitto_path + " -h 2>&1");
  int major = 0, minor = 0, revision = 0;
  mosquitto_lib_version(&major, &minor, &revision);
  m.libmosquitto_version =
      std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(revision);
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  m.nofile_hard = static_cast<long>(limit.rlim_max);
  m.memory_mb = ::sysconf(_SC_PHYS_PAGES) / 1024 * ::sysconf(_SC_PAGE_SIZE) / 1024;
  return m;
}

std::string LoadAverages() {
  std::istringstream in(ReadTextFile("/proc/loadavg"));
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

std::string LocalTimestamp(const char* format) {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  char text[64];
  std::strftime(text, sizeof(text), format, &local);
  return text;
}

}  // namespace bench
