// plugin_opt_* parsing: required options, defaults and operator-facing errors.
#include "plugin_options.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "chat/key_file.h"

namespace chat::plugin {
namespace {

class PluginOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("plugin_options_test." + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    key_path_ = (dir_ / "key").string();
    std::ofstream(key_path_) << GenerateKeyText();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::optional<PluginConfig> Parse(std::vector<std::pair<std::string, std::string>> options) {
    auto config = ParsePluginOptions(options);
    error_ = config.status().message();
    if (!config.ok()) return std::nullopt;
    return std::move(*config);
  }

  std::filesystem::path dir_;
  std::string key_path_;
  std::string error_;
};

TEST_F(PluginOptionsTest, KeyFileAndDatabaseAreEnoughAndTheLimitDefaultsTo64KiB) {
  auto config = Parse({{"key_file", key_path_}, {"db_path", "/var/lib/chat/chat.db"}});
  ASSERT_TRUE(config) << error_;
  EXPECT_EQ(config->key.size(), 32u);
  EXPECT_EQ(config->db_path, "/var/lib/chat/chat.db");
  EXPECT_EQ(config->max_payload_bytes, 65536u);
}

TEST_F(PluginOptionsTest, MaxPayloadBytesIsParsed) {
  auto config =
      Parse({{"key_file", key_path_}, {"db_path", "x.db"}, {"max_payload_bytes", "1024"}});
  ASSERT_TRUE(config) << error_;
  EXPECT_EQ(config->max_payload_bytes, 1024u);
}

TEST_F(PluginOptionsTest, MissingKeyFileIsNamed) {
  EXPECT_FALSE(Parse({{"db_path", "x.db"}}));
  EXPECT_NE(error_.find("plugin_opt_key_file is required"), std::string::npos) << error_;
}

TEST_F(PluginOptionsTest, MissingDatabaseIsNamed) {
  EXPECT_FALSE(Parse({{"key_file", key_path_}}));
  EXPECT_NE(error_.find("plugin_opt_db_path is required"), std::string::npos) << error_;
}

TEST_F(PluginOptionsTest, UnreadableKeyFileIsNamed) {
  EXPECT_FALSE(Parse({{"key_file", (dir_ / "absent").string()}, {"db_path", "x.db"}}));
  EXPECT_NE(error_.find("plugin_opt_key_file: cannot read key file"), std::string::npos) << error_;
}

TEST_F(PluginOptionsTest, BadKeyFileIsNamed) {
  std::ofstream(key_path_) << "not hex\n";
  EXPECT_FALSE(Parse({{"key_file", key_path_}, {"db_path", "x.db"}}));
  EXPECT_NE(error_.find("plugin_opt_key_file:"), std::string::npos) << error_;
}

TEST_F(PluginOptionsTest, BadPayloadLimitsAreNamed) {
  for (std::string value : {"", "0", "-1", "12k", "1048577", "99999999999999999999"}) {
    EXPECT_FALSE(
        Parse({{"key_file", key_path_}, {"db_path", "x.db"}, {"max_payload_bytes", value}}))
        << value;
    EXPECT_NE(error_.find("plugin_opt_max_payload_bytes"), std::string::npos) << error_;
  }
}

TEST_F(PluginOptionsTest, RateLimitsAreOnWithDefaultsForAPerson) {
  auto config = Parse({{"key_file", key_path_}, {"db_path", "x.db"}});
  ASSERT_TRUE(config) << error_;
  EXPECT_TRUE(config->limits);
  EXPECT_EQ(config->publish_limits.device_messages.per_s, 20);
  EXPECT_EQ(config->publish_limits.device_messages.burst, 200);
  EXPECT_EQ(config->publish_limits.flood_disconnect_ms, 10000);
  EXPECT_EQ(config->connect_limits.address_failures.burst, 100);
}

TEST_F(PluginOptionsTest, RateLimitsAreParsed) {
  auto config = Parse({{"key_file", key_path_},
                       {"db_path", "x.db"},
                       {"limits", "false"},
                       {"limit_device_messages_per_s", "2.5"},
                       {"limit_device_messages_burst", "7"},
                       {"limit_device_bytes_per_s", "1000"},
                       {"limit_device_bytes_burst", "2000"},
                       {"limit_device_typing_per_s", "0.5"},
                       {"limit_device_typing_burst", "3"},
                       {"limit_user_messages_per_s", "4"},
                       {"limit_user_messages_burst", "9"},
                       {"limit_user_bytes_per_s", "5000"},
                       {"limit_user_bytes_burst", "6000"},
                       {"limit_address_connect_failures_per_s", "1"},
                       {"limit_address_connect_failures_burst", "5"},
                       {"limit_user_connects_per_s", "0.1"},
                       {"limit_user_connects_burst", "4"},
                       {"limit_error_interval_ms", "500"},
                       {"limit_flood_disconnect_ms", "3000"},
                       {"limit_flood_disconnect_refusals", "40"}});
  ASSERT_TRUE(config) << error_;
  EXPECT_FALSE(config->limits);
  const PublishLimits& p = config->publish_limits;
  EXPECT_EQ(p.device_messages.per_s, 2.5);
  EXPECT_EQ(p.device_messages.burst, 7);
  EXPECT_EQ(p.device_bytes.per_s, 1000);
  EXPECT_EQ(p.device_bytes.burst, 2000);
  EXPECT_EQ(p.device_typing.per_s, 0.5);
  EXPECT_EQ(p.device_typing.burst, 3);
  EXPECT_EQ(p.user_messages.per_s, 4);
  EXPECT_EQ(p.user_messages.burst, 9);
  EXPECT_EQ(p.user_bytes.per_s, 5000);
  EXPECT_EQ(p.user_bytes.burst, 6000);
  EXPECT_EQ(p.error_interval_ms, 500);
  EXPECT_EQ(p.flood_disconnect_ms, 3000);
  EXPECT_EQ(p.flood_disconnect_refusals, 40);
  const ConnectLimits& c = config->connect_limits;
  EXPECT_EQ(c.address_failures.per_s, 1);
  EXPECT_EQ(c.address_failures.burst, 5);
  EXPECT_EQ(c.user_connects.per_s, 0.1);
  EXPECT_EQ(c.user_connects.burst, 4);
}

TEST_F(PluginOptionsTest, BadRateLimitsAreNamed) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"limits", "yes"},
      {"limit_device_messages_per_s", "0"},
      {"limit_device_messages_per_s", "-1"},
      {"limit_device_messages_per_s", "fast"},
      {"limit_device_messages_per_s", "inf"},
      {"limit_device_messages_burst", "0"},
      {"limit_device_messages_burst", "1.5"},
      {"limit_user_bytes_burst", ""},
      {"limit_flood_disconnect_ms", "0"},
      {"limit_flood_disconnect_refusals", "2.5"},
      {"limit_error_interval_ms", "-5"},
  };
  for (const auto& [key, value] : bad) {
    EXPECT_FALSE(Parse({{"key_file", key_path_}, {"db_path", "x.db"}, {key, value}}))
        << key << "=" << value;
    EXPECT_NE(error_.find("plugin_opt_" + key + ": expected"), std::string::npos) << error_;
  }
}

TEST_F(PluginOptionsTest, UnknownOptionIsAnError) {
  EXPECT_FALSE(Parse({{"key_file", key_path_}, {"db_path", "x.db"}, {"max_payload_byte", "10"}}));
  EXPECT_NE(error_.find("unknown option plugin_opt_max_payload_byte"), std::string::npos) << error_;
}

}  // namespace
}  // namespace chat::plugin
