// HAProxy in front of a cluster's broker nodes, as deploy/haproxy.cfg: TCP,
// the MQTT CONNECT checked, a client id kept on its node, a dead node's
// devices sent to the others. Shared by the integration tests and the
// benchmark, which run it on loopback.
#pragma once

#include <string>
#include <vector>

namespace chat::support {

// The config of an HAProxy listening on 127.0.0.1:`port` in front of the
// nodes on 127.0.0.1:`node_ports`, logging to stdout, holding at most
// `max_connections` client connections (each also uses one to a node).
std::string HaproxyConfig(int port, const std::vector<int>& node_ports, int max_connections);

}  // namespace chat::support
