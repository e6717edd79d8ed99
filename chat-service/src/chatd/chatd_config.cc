// chatd configuration loading.
#include "chatd/chatd_config.h"

#include "chat/config_file.h"

namespace chat {

const std::set<std::string>& ChatdConfigKeys() {
  static const std::set<std::string> keys = [] {
    std::set<std::string> all = ServiceConfig::Keys();
    all.insert({"max_body_bytes", "max_group_members", "presence_grace_ms"});
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
  return config;
}

}  // namespace chat
