// At most one alert per device per window (fpush's model, NEXT-WAVE.md 1d):
// the first alert of a burst goes at once, the rest wait for the window's
// end and leave as one trailing push with the latest count.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace chat::push {

class AlertWindow {
 public:
  explicit AlertWindow(int64_t window_ms) : window_ms_(window_ms) {}

  // 0 when `device` may get an alert at `now_ms`; otherwise when it may.
  int64_t NextAllowed(const std::string& device, int64_t now_ms) const;
  // `device` got an alert at `now_ms`.
  void Record(const std::string& device, int64_t now_ms);

 private:
  int64_t window_ms_;
  std::unordered_map<std::string, int64_t> last_alert_ms_;
};

}  // namespace chat::push
