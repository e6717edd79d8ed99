// pushd's config file: every mistake names the file and the key.
#include "pushd_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace chat {
namespace {

class PushdConfigTest : public ::testing::Test {
 protected:
  StatusOr<PushdConfig> Load(const std::string& text) {
    std::ofstream(path_) << text;
    return LoadPushdConfig(path_);
  }
  void TearDown() override { std::filesystem::remove(path_); }
  // ctest runs each test in its own process, side by side: one file each.
  std::string path_ =
      ::testing::TempDir() + "/pushd_config_test." + std::to_string(::getpid()) + ".conf";
};

TEST_F(PushdConfigTest, DefaultsNeedOnlyTheDatabase) {
  auto config = Load("db_path = chat.db\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_FALSE(config->fcm_account);
  EXPECT_FALSE(config->apns_key);
  EXPECT_EQ(config->alert_window_ms, 10000);
  EXPECT_EQ(config->retry.give_up_after_ms, 86400000);
  EXPECT_EQ(config->fcm.endpoint, "https://fcm.googleapis.com");
}

TEST_F(PushdConfigTest, MistakesNameTheFileAndTheKey) {
  for (const auto& [text, key] : std::vector<std::pair<std::string, std::string>>{
           {"log_level = info\n", "db_path"},
           {"db_path = x\napns_key_id = ABCDE12345\n", "apns_key_file"},
           {"db_path = x\nfcm_endpoint = http://plain\n", "fcm_endpoint"},
           {"db_path = x\nalert_window_ms = soon\n", "alert_window_ms"},
           {"db_path = x\nfcm_service_account = nowhere.json\n", "fcm_service_account"},
           {"db_path = x\nbroker_host = 127.0.0.1\n", "broker_host"},
       }) {
    auto config = Load(text);
    ASSERT_FALSE(config.ok()) << text;
    EXPECT_NE(config.status().message().find(path_), std::string::npos)
        << config.status().message();
    EXPECT_NE(config.status().message().find(key), std::string::npos) << config.status().message();
  }
}

}  // namespace
}  // namespace chat
