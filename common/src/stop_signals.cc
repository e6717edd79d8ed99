// Blocking and waiting for the daemons' stop signals.
#include "chat/stop_signals.h"

#include <pthread.h>
#include <signal.h>

namespace chat {

namespace {
sigset_t StopSignals() {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  return stop;
}
}  // namespace

void BlockStopSignals() {
  sigset_t stop = StopSignals();
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
}

int WaitForStopSignal() {
  sigset_t stop = StopSignals();
  int received = 0;
  sigwait(&stop, &received);
  return received;
}

std::optional<int> WaitForStopSignalFor(std::chrono::milliseconds timeout) {
  sigset_t stop = StopSignals();
  timespec wait{};
  wait.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  wait.tv_nsec = static_cast<long>(timeout.count() % 1000) * 1000000L;
  int received = sigtimedwait(&stop, nullptr, &wait);
  if (received < 0) return std::nullopt;  // EAGAIN: none came (or EINTR)
  return received;
}

}  // namespace chat
