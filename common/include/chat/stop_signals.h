// How the daemons stop: SIGTERM and SIGINT are blocked before any thread
// starts (threads inherit the mask) and taken with sigwait on one thread, so
// shutdown runs as ordinary code rather than in a signal handler, and a
// signal during start-up waits until the daemon is ready to drain.
#pragma once

#include <chrono>
#include <optional>

namespace chat {

// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts
// afterwards. Call first in main, or before the first thread is created.
void BlockStopSignals();
// Waits until SIGTERM or SIGINT arrives; returns which one.
int WaitForStopSignal();
// The same, for at most `timeout`: the signal, or nullopt when none came.
std::optional<int> WaitForStopSignalFor(std::chrono::milliseconds timeout);

}  // namespace chat
