// The plugin's options, from `plugin_opt_*` lines of mosquitto.conf.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "chat/protocol.h"
#include "chat/status.h"
#include "chat/token.h"
#include "connect_limiter.h"
#include "publish_limiter.h"

namespace chat::plugin {

struct PluginConfig {
  SigningKey key;       // plugin_opt_key_file (required)
  std::string db_path;  // plugin_opt_db_path (required)
  // plugin_opt_max_payload_bytes: the largest command a device may publish.
  std::size_t max_payload_bytes = protocol::kDefaultMaxCommandBytes;
  // plugin_opt_limits (true|false): whether the rate limits below apply.
  bool limits = true;
  // plugin_opt_limit_* (docs/PROTOCOL.md, section 9, "Rate limits").
  PublishLimits publish_limits;
  ConnectLimits connect_limits;
};

// Parses the options as mosquitto hands them over: keys without the
// "plugin_opt_" prefix. Reads the key file. Unknown keys are errors, so a typo
// never falls back to a default. A failure's message is a sentence naming the
// option as the operator wrote it.
StatusOr<PluginConfig> ParsePluginOptions(
    const std::vector<std::pair<std::string, std::string>>& options);

}  // namespace chat::plugin
