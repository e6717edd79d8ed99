// Validation of the plugin_opt_* settings.
#include "plugin_options.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "chat/key_file.h"

namespace chat::plugin {

namespace {

// A numeric option: where it goes and the values it may take.
struct NumberOption {
  std::string_view key;  // without "plugin_opt_"
  double* real = nullptr;
  int64_t* integer = nullptr;
  double min;
  double max;
};

// Rates per second may have a fraction; counts and durations may not.
std::vector<NumberOption> NumberOptions(PluginConfig& c) {
  PublishLimits& p = c.publish_limits;
  ConnectLimits& n = c.connect_limits;
  constexpr double kMaxRate = 1e12;
  auto rate = [&](std::string_view key, BucketSpec& spec) {
    return NumberOption{key, &spec.per_s, nullptr, 1e-6, kMaxRate};
  };
  auto burst = [&](std::string_view key, BucketSpec& spec) {
    return NumberOption{key, &spec.burst, nullptr, 1, kMaxRate};
  };
  return {
      rate("limit_device_messages_per_s", p.device_messages),
      burst("limit_device_messages_burst", p.device_messages),
      rate("limit_device_bytes_per_s", p.device_bytes),
      burst("limit_device_bytes_burst", p.device_bytes),
      rate("limit_device_typing_per_s", p.device_typing),
      burst("limit_device_typing_burst", p.device_typing),
      rate("limit_user_messages_per_s", p.user_messages),
      burst("limit_user_messages_burst", p.user_messages),
      rate("limit_user_bytes_per_s", p.user_bytes),
      burst("limit_user_bytes_burst", p.user_bytes),
      rate("limit_address_connect_failures_per_s", n.address_failures),
      burst("limit_address_connect_failures_burst", n.address_failures),
      rate("limit_user_connects_per_s", n.user_connects),
      burst("limit_user_connects_burst", n.user_connects),
      {"limit_error_interval_ms", nullptr, &p.error_interval_ms, 0, 3600e3},
      {"limit_flood_disconnect_ms", nullptr, &p.flood_disconnect_ms, 1, 86400e3},
      {"limit_flood_disconnect_refusals", nullptr, &p.flood_disconnect_refusals, 1, 1e9},
  };
}

std::string FormatNumber(double value) {
  char text[32];
  auto [end, ec] = std::to_chars(text, text + sizeof(text), value);
  return std::string(text, end);
}

Status SetNumber(const NumberOption& option, const std::string& value) {
  double parsed = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  bool whole = option.integer != nullptr || option.key.ends_with("_burst");
  if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(parsed) ||
      parsed < option.min || parsed > option.max || (whole && parsed != std::floor(parsed))) {
    return Status::InvalidArgument("plugin_opt_" + std::string(option.key) + ": expected " +
                                   (whole ? "an integer" : "a number") + " from " +
                                   FormatNumber(option.min) + " to " + FormatNumber(option.max) +
                                   ", got '" + value + "'");
  }
  if (option.integer) {
    *option.integer = static_cast<int64_t>(parsed);
  } else {
    *option.real = parsed;
  }
  return Status::Ok();
}

std::string KnownKeys(const std::vector<NumberOption>& numbers) {
  std::string known =
      "plugin_opt_key_file, plugin_opt_db_path, plugin_opt_max_payload_bytes, plugin_opt_limits";
  for (const NumberOption& option : numbers) known += ", plugin_opt_" + std::string(option.key);
  return known;
}

}  // namespace

StatusOr<PluginConfig> ParsePluginOptions(
    const std::vector<std::pair<std::string, std::string>>& options) {
  PluginConfig config;
  const std::vector<NumberOption> numbers = NumberOptions(config);
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
    } else if (key == "limits") {
      if (value != "true" && value != "false") {
        return Status::InvalidArgument("plugin_opt_limits: expected true or false, got '" + value +
                                       "'");
      }
      config.limits = value == "true";
    } else if (auto it = std::ranges::find(numbers, key, &NumberOption::key); it != numbers.end()) {
      if (Status set = SetNumber(*it, value); !set.ok()) return set;
    } else {
      return Status::InvalidArgument("unknown option plugin_opt_" + key +
                                     " (known: " + KnownKeys(numbers) + ")");
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
