// `chat-bench relay-node`: one libmosquitto client that subscribes to
// bench/up/+ and republishes every message, QoS 1, to bench/down/{i} and
// bench/ack/{i}. Prints "ready" on stdout once subscribed; runs until SIGTERM.
#pragma once

namespace bench {

int RunRelayNode(int port);

}  // namespace bench
