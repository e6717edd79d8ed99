// The per-device alert window.
#include "alert_window.h"

#include <iterator>

namespace chat::push {

int64_t AlertWindow::NextAllowed(const std::string& device, int64_t now_ms) const {
  auto it = last_alert_ms_.find(device);
  if (it == last_alert_ms_.end() || now_ms >= it->second + window_ms_) return 0;
  return it->second + window_ms_;
}

void AlertWindow::Record(const std::string& device, int64_t now_ms) {
  last_alert_ms_[device] = now_ms;
  // Forget the devices whose window has passed, now and then: memory follows
  // the devices alerted within one window, not every device ever alerted.
  if (last_alert_ms_.size() % 1024 == 0) {
    for (auto it = last_alert_ms_.begin(); it != last_alert_ms_.end();) {
      it = now_ms >= it->second + window_ms_ ? last_alert_ms_.erase(it) : std::next(it);
    }
  }
}

}  // namespace chat::push
