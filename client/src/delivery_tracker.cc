// Positions taken by the application, waiting to be saved and reported.
#include "delivery_tracker.h"

#include <utility>

namespace chat::client {

void DeliveryTracker::Raise(std::map<std::string, int64_t>& map, const std::string& conv,
                            int64_t seq) {
  int64_t& current = map[conv];
  if (seq > current) current = seq;
}

void DeliveryTracker::Record(const Event& event) {
  if (!event.IsSequenced() || event.seq < 1) return;
  std::lock_guard lock(mu_);
  Raise(unsaved_, event.conv, event.seq);
  if (event.Is(event_type::kMsg)) Raise(unreported_, event.conv, event.seq);
}

std::map<std::string, int64_t> DeliveryTracker::TakeUnsaved() {
  std::lock_guard lock(mu_);
  return std::exchange(unsaved_, {});
}

std::map<std::string, int64_t> DeliveryTracker::TakeUnreported() {
  std::lock_guard lock(mu_);
  return std::exchange(unreported_, {});
}

void DeliveryTracker::RestoreUnsaved(const std::map<std::string, int64_t>& cursors) {
  std::lock_guard lock(mu_);
  for (const auto& [conv, seq] : cursors) Raise(unsaved_, conv, seq);
}

}  // namespace chat::client
