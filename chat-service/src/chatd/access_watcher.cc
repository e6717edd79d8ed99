// Disconnecting devices whose access was cut.
#include "chatd/access_watcher.h"

#include <spdlog/spdlog.h>

#include <thread>
#include <vector>

#include "chat/clock.h"
#include "chat/store_target.h"
#include "store/access_cut_store.h"
#include "store/conversation_store.h"

namespace chat {

namespace {
// A cut this old is settled: every cut with a lower id has committed.
constexpr int64_t kSettledAfterS = 10;
constexpr int64_t kCutsPerPage = 1000;
}  // namespace

AccessWatcher::AccessWatcher(const std::string& db_path, Kick kick,
                             std::chrono::milliseconds interval, int64_t replay_s)
    : db_(OpenStore(db_path, Database::Mode::kReadOnly)),
      kick_(std::move(kick)),
      interval_(interval) {
  floor_ = AccessCutStore(db_).LastIdBefore(NowSeconds() - replay_s);
}

void AccessWatcher::Run(const std::atomic<bool>& stop) {
  while (!stop) {
    Poll(NowSeconds());
    for (auto waited = std::chrono::milliseconds(0); waited < interval_ && !stop;
         waited += std::chrono::milliseconds(50)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

int AccessWatcher::Poll(int64_t now_s) {
  AccessCutStore store(db_);
  int kicked = 0;
  bool settled = true;  // every cut so far is old enough to move the floor past
  for (int64_t after = floor_;;) {
    std::vector<AccessCut> cuts = store.After(after, kCutsPerPage);
    for (const AccessCut& cut : cuts) {
      if (!applied_.count(cut.id)) {
        kicked += Apply(cut);
        applied_.insert(cut.id);
      }
      settled = settled && cut.at_s < now_s - kSettledAfterS;
      if (settled) {
        floor_ = cut.id;
        applied_.erase(cut.id);
      }
    }
    if (cuts.size() < static_cast<std::size_t>(kCutsPerPage)) return kicked;
    after = cuts.back().id;
  }
}

int AccessWatcher::Apply(const AccessCut& cut) {
  std::vector<std::string> devices{cut.device};
  if (cut.device.empty()) devices = ConversationStore(db_).Devices(cut.user);
  for (const std::string& device : devices) kick_(cut.user, device);
  spdlog::info("access cut {} ({} at {}): {} disconnected on every broker node", cut.id, cut.reason,
               cut.at_s,
               cut.device.empty() ? "every device of " + cut.user : cut.user + "/" + cut.device);
  return static_cast<int>(devices.size());
}

}  // namespace chat
