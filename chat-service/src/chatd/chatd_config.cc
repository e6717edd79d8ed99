// chatd configuration loading.
#include "chatd/chatd_config.h"

#include <tuple>

#include "chat/config_file.h"

namespace chat {

const std::set<std::string>& ChatdConfigKeys() {
  static const std::set<std::string> keys = [] {
    std::set<std::string> all = ServiceConfig::Keys();
    all.insert({"max_body_bytes", "max_group_members", "presence_grace_ms", "large_group_members",
                "paced_slice_copies", "paced_max_slice_copies", "paced_queue_copies"});
    return all;
  }();
  return keys;
}

StatusOr<ChatdConfig> LoadChatdConfig(const std::string& path) {
  StatusOr<ConfigFile> file = ConfigFile::Load(path, ChatdConfigKeys());
  if (!file.ok()) return file.status();
  ChatdConfig config;
  if (Status s = config.Read(*file); !s.ok()) return s;
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
