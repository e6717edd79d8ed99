// The benchmark's one clock: CLOCK_MONOTONIC in nanoseconds, comparable
// across the processes of one machine (the hold workers report with it).
#pragma once

#include <time.h>

#include <chrono>
#include <cstdint>

namespace bench {

inline int64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// The same instant as a std::chrono::steady_clock time (CLOCK_MONOTONIC too).
inline std::chrono::steady_clock::time_point SteadyAt(int64_t monotonic_ns) {
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(monotonic_ns));
}

inline constexpr int64_t kNsPerSecond = 1'000'000'000;
inline constexpr int64_t kNsPerMs = 1'000'000;
// "Not scheduled": later than any MonotonicNs().
inline constexpr int64_t kNeverNs = INT64_MAX;

inline double SecondsBetween(int64_t from_ns, int64_t to_ns) {
  return static_cast<double>(to_ns - from_ns) / kNsPerSecond;
}

}  // namespace bench
