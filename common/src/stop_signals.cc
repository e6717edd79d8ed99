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

}  // namespace chat
