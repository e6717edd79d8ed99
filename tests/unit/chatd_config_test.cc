// chatd's config file: the broker nodes of a cluster, and mistakes that
// name the file and the key.
#include "chatd/chatd_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "chat/key_file.h"

namespace chat {
namespace {

class ChatdConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("chatd_config_test." + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "key") << GenerateKeyText();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  StatusOr<ChatdConfig> Load(const std::string& lines) {
    std::string path = (dir_ / "chatd.conf").string();
    std::ofstream(path) << "db_path = chat.db\nkey_file = key\n" << lines;
    return LoadChatdConfig(path);
  }

  std::filesystem::path dir_;
};

TEST_F(ChatdConfigTest, WithoutBrokerNodesTheOneNodeIsBrokerHostAndPort) {
  auto config = Load("broker_host = 10.0.0.5\nbroker_port = 1884\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->broker_nodes, (std::vector<BrokerNode>{{"10.0.0.5", 1884}}));
}

TEST_F(ChatdConfigTest, BrokerNodesListsEveryNodeInOrder) {
  auto config = Load("broker_nodes = 127.0.0.1:1883, 127.0.0.1:1884,node3.internal:1883\n");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->broker_nodes,
            (std::vector<BrokerNode>{
                {"127.0.0.1", 1883}, {"127.0.0.1", 1884}, {"node3.internal", 1883}}));
}

TEST_F(ChatdConfigTest, BrokerNodeMistakesNameTheFileTheKeyAndTheEntry) {
  for (const auto& [line, entry] : std::vector<std::pair<std::string, std::string>>{
           {"broker_nodes = 127.0.0.1\n", "'127.0.0.1'"},
           {"broker_nodes = a:1883,\n", "''"},
           {"broker_nodes = a:0\n", "'a:0'"},
           {"broker_nodes = a:65536\n", "'a:65536'"},
           {"broker_nodes = a:18x3\n", "'a:18x3'"},
           {"broker_nodes = :1883\n", "':1883'"},
           {"broker_nodes = a:1883, a:1883\n", "'a:1883' is listed twice"},
           {"broker_nodes = a:1883\nbroker_port = 1884\n", "set one or the other"},
       }) {
    auto config = Load(line);
    ASSERT_FALSE(config.ok()) << line;
    const std::string& message = config.status().message();
    EXPECT_NE(message.find((dir_ / "chatd.conf").string()), std::string::npos) << message;
    EXPECT_NE(message.find("broker_nodes"), std::string::npos) << message;
    EXPECT_NE(message.find(entry), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace chat
