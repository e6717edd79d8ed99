// The loopback HAProxy config of tests and the benchmark.
#include "chat/support/haproxy_config.h"

#include <sstream>

namespace chat::support {

std::string HaproxyConfig(int port, const std::vector<int>& node_ports, int max_connections) {
  std::ostringstream conf;
  conf << "# Written by chat::support::HaproxyConfig, as deploy/haproxy.cfg.\n"
       << "global\n"
       << "    log stdout format raw local0 info\n"
       << "    maxconn " << max_connections << "\n"
       << "defaults\n"
       << "    mode tcp\n"
       << "    log global\n"
       << "    option tcplog\n"
       << "    maxconn " << max_connections << "\n"
       << "    timeout connect 2s\n"
       << "    timeout client 60s\n"
       << "    timeout server 60s\n"
       << "frontend mqtt\n"
       << "    bind 127.0.0.1:" << port << "\n"
       << "    tcp-request inspect-delay 5s\n"
       << "    tcp-request content reject unless { req.payload(0,0),mqtt_is_valid }\n"
       << "    default_backend brokers\n"
       << "backend brokers\n"
       << "    balance roundrobin\n"
       << "    stick-table type string len 128 size 1m expire 1h\n"
       << "    stick on req.payload(0,0),mqtt_field_value(connect,client_identifier)\n"
       << "    option redispatch\n"
       << "    retries 2\n";
  for (std::size_t node = 0; node < node_ports.size(); ++node) {
    conf << "    server node" << node << " 127.0.0.1:" << node_ports[node] << "\n";
  }
  return conf.str();
}

}  // namespace chat::support
