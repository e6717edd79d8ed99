// Turns Nagle's algorithm off on the MQTT connection Paho opened.
//
// Paho MQTT C 1.3.11 (Debian 12) never sets TCP_NODELAY and has no option
// for it (eclipse-paho/paho.mqtt.c#530). With Nagle on, a packet written
// while an earlier small one is still unacknowledged waits for the broker's
// delayed ACK: up to 40 ms on Linux. A device that PUBACKs a message and
// then sends one of its own would wait that long. The client library calls
// this after each connect. (chatd keeps Nagle, which lets its many PUBACKs
// travel together, and publishes on a connection of its own instead:
// chatd/broker_link.h.) The broker side is `set_tcp_nodelay true` in
// mosquitto.conf.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace chat {

// The descriptors of this process's connected TCP sockets whose peer port is
// `peer_port`, found in /proc/self/fd (Paho does not hand out its socket);
// nullopt if the descriptors cannot be listed.
std::optional<std::vector<int>> TcpSocketsToPort(uint16_t peer_port);

// Sets TCP_NODELAY on each of those sockets. Returns how many have it on
// now, or -1 if the descriptors cannot be listed. Call after each
// (re)connect.
int DisableNagleToPort(uint16_t peer_port);

}  // namespace chat
