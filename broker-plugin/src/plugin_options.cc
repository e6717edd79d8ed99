// Validation of the plugin_opt_* settings.
#include "plugin_options.h"

#include <charconv>

#include "chat/key_file.h"

namespace chat::plugin {

StatusOr<PluginConfig> ParsePluginOptions(
    const std::vector<std::pair<std::string, std::string>>& options) {
  PluginConfig config;
  std::optional<std::string> key_file;
  for (const auto& [key, value] : options) {
    if (key == "key_file") {
      key_file = value;
    } else if (key == "db_path") {
      config.db_path = value;
    } else if (key == "max_payload_bytes") {
      std::size_t parsed = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      if (ec != std::errc() || end != value.data() + value.size() || parsed == 0 ||
          parsed > protocol::kMaxServicePayloadBytes) {
        return Status::InvalidArgument(
            "plugin_opt_max_payload_bytes: expected an integer from 1 to " +
            std::to_string(protocol::kMaxServicePayloadBytes) +
            " (the broker's max_packet_size less room for the topic)" + ", got '" + value + "'");
      }
      config.max_payload_bytes = parsed;
    } else {
      return Status::InvalidArgument(
          "unknown option plugin_opt_" + key +
          " (known: plugin_opt_key_file, plugin_opt_db_path, plugin_opt_max_payload_bytes)");
    }
  }
  if (!key_file || key_file->empty()) {
    return Status::InvalidArgument(
        "plugin_opt_key_file is required (the deployment's key file, see chatctl keygen)");
  }
  if (config.db_path.empty()) {
    return Status::InvalidArgument(
        "plugin_opt_db_path is required (the chat database, for token revocation)");
  }
  auto key = LoadKeyFile(*key_file);
  if (!key.ok()) return Status::InvalidArgument("plugin_opt_key_file: " + key.status().message());
  config.key = std::move(*key);
  return config;
}

}  // namespace chat::plugin
