// Loading and validation of pushd's configuration file.
#include "pushd_config.h"

#include "chat/config_file.h"

namespace chat {

StatusOr<PushdConfig> LoadPushdConfig(const std::string& path) {
  StatusOr<ConfigFile> file = ConfigFile::Load(path, ServiceConfig::Keys());
  if (!file.ok()) return file.status();
  PushdConfig config;
  if (Status s = config.Read(*file); !s.ok()) return s;
  return config;
}

}  // namespace chat
