// Loopback ports for the daemons that tests and the benchmark start.
#pragma once

namespace chat::support {

// A TCP port of 127.0.0.1 that was free a moment ago (bound to port 0, read
// back, closed). Throws std::runtime_error when none can be had.
int FreeLoopbackPort();

// Whether something accepts TCP connections on 127.0.0.1:`port` now.
bool PortAcceptsConnections(int port);

}  // namespace chat::support
