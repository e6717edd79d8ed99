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

TEST_F(PluginOptionsTest, UnknownOptionIsAnError) {
  EXPECT_FALSE(Parse({{"key_file", key_path_}, {"db_path", "x.db"}, {"max_payload_byte", "10"}}));
  EXPECT_NE(error_.find("unknown option plugin_opt_max_payload_byte"), std::string::npos) << error_;
}

}  // namespace
}  // namespace chat::plugin
