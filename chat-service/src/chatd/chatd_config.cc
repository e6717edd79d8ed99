// chatd configuration loading.
#include "chatd/chatd_config.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include "chat/config_file.h"

namespace chat {

namespace {

constexpr std::size_t kMaxBrokerNodes = 64;

// "host:port, host:port" -> nodes; errors name the file, the key and the entry.
Status ParseBrokerNodes(const ConfigFile& file, const std::string& text,
                        std::vector<BrokerNode>* nodes) {
  auto fail = [&](const std::string& what) {
    return Status::InvalidArgument(file.path() + ": key 'broker_nodes': " + what);
  };
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string entry =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    entry.erase(0, entry.find_first_not_of(" \t"));
    entry.erase(entry.find_last_not_of(" \t") + 1);
    std::size_t colon = entry.rfind(':');
    if (entry.empty() || colon == std::string::npos || colon == 0) {
      return fail("'" + entry + "' is not host:port");
    }
    std::string port_text = entry.substr(colon + 1);
    int port = 0;
    bool digits = !port_text.empty() && port_text.size() <= 5 &&
                  port_text.find_first_not_of("0123456789") == std::string::npos;
    if (digits) port = std::stoi(port_text);
    if (!digits || port < 1 || port > 65535) {
      return fail("'" + entry + "': the port must be 1..65535");
    }
    BrokerNode node{entry.substr(0, colon), port};
    if (std::find(nodes->begin(), nodes->end(), node) != nodes->end()) {
      return fail("'" + entry + "' is listed twice");
    }
    nodes->push_back(std::move(node));
  }
  if (nodes->size() > kMaxBrokerNodes) {
    return fail("at most " + std::to_string(kMaxBrokerNodes) + " nodes");
  }
  return Status::Ok();
}

}  // namespace

const std::set<std::string>& ChatdConfigKeys() {
  static const std::set<std::string> keys = [] {
    std::set<std::string> all = ServiceConfig::Keys();
    all.insert({"broker_nodes", "max_body_bytes", "max_group_members", "presence_grace_ms",
                "large_group_members", "paced_slice_copies", "paced_max_slice_copies",
                "paced_queue_copies"});
    return all;
  }();
  return keys;
}

StatusOr<ChatdConfig> LoadChatdConfig(const std::string& path) {
  StatusOr<ConfigFile> file = ConfigFile::Load(path, ChatdConfigKeys());
  if (!file.ok()) return file.status();
  ChatdConfig config;
  if (Status s = config.Read(*file); !s.ok()) return s;
  if (std::optional<std::string> nodes = file->String("broker_nodes")) {
    if (file->String("broker_host") || file->String("broker_port")) {
      return Status::InvalidArgument(path +
                                     ": key 'broker_nodes' replaces broker_host and broker_port: "
                                     "set one or the other");
    }
    if (Status s = ParseBrokerNodes(*file, *nodes, &config.broker_nodes); !s.ok()) return s;
  } else {
    config.broker_nodes = {{config.broker_host, config.broker_port}};
  }
  int64_t max_body = static_cast<int64_t>(config.max_body_bytes);
  if (Status s = file->Integer("max_body_bytes", 1, protocol::kDefaultMaxCommandBytes, &max_body);
      !s.ok()) {
    return s;
  }
  config.max_body_bytes = static_cast<std::size_t>(max_body);
  int64_t max_members = static_cast<int64_t>(config.max_group_members);
  if (Status s = file->Integer("max_group_members", 2, 100000, &max_members); !s.ok()) return s;
  config.max_group_members = static_cast<std::size_t>(max_members);
  if (Status s = file->Integer("presence_grace_ms", 0, 600000, &config.presence_grace_ms);
      !s.ok()) {
    return s;
  }
  for (auto [key, value, min, max] :
       {std::tuple{"large_group_members", &config.large_group_members, int64_t{0}, int64_t{100000}},
        std::tuple{"paced_slice_copies", &config.paced_slice_copies, int64_t{1}, int64_t{1000}},
        std::tuple{"paced_max_slice_copies", &config.paced_max_slice_copies, int64_t{1},
                   int64_t{10000}},
        std::tuple{"paced_queue_copies", &config.paced_queue_copies, int64_t{100},
                   int64_t{10000000}}}) {
    int64_t number = static_cast<int64_t>(*value);
    if (Status s = file->Integer(key, min, max, &number); !s.ok()) return s;
    *value = static_cast<std::size_t>(number);
  }
  return config;
}

}  // namespace chat
