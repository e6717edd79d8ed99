// The `key = value` configuration format and its error messages.
#include "chat/config_file.h"

#include <gtest/gtest.h>

#include <fstream>

namespace chat {
namespace {

std::string WriteConfig(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

const std::set<std::string> kKeys = {"db_path", "broker_port"};

TEST(ConfigFile, ParsesKeysCommentsAndBlankLines) {
  std::string path =
      WriteConfig("ok.conf", "# comment\n\ndb_path = chat.db  # trailing\nbroker_port=1884\n");
  std::string error;
  auto config = ConfigFile::Load(path, kKeys, &error);
  ASSERT_TRUE(config) << error;
  EXPECT_EQ(config->String("db_path"), "chat.db");
  EXPECT_EQ(config->Integer("broker_port", 1, 65535, &error), 1884);
  EXPECT_EQ(config->ResolvePath("chat.db"), ::testing::TempDir() + "/chat.db");
}

TEST(ConfigFile, UnknownKeyNamesKeyFileAndLine) {
  std::string path = WriteConfig("typo.conf", "db_path = x\nbrokr_port = 1\n");
  std::string error;
  EXPECT_FALSE(ConfigFile::Load(path, kKeys, &error));
  EXPECT_NE(error.find(path + ":2"), std::string::npos) << error;
  EXPECT_NE(error.find("brokr_port"), std::string::npos) << error;
}

TEST(ConfigFile, BadIntegerNamesTheKey) {
  std::string path = WriteConfig("int.conf", "broker_port = lots\n");
  std::string error;
  auto config = ConfigFile::Load(path, kKeys, &error);
  ASSERT_TRUE(config);
  EXPECT_FALSE(config->Integer("broker_port", 1, 65535, &error));
  EXPECT_NE(error.find("'broker_port'"), std::string::npos) << error;
}

TEST(ConfigFile, MissingRequiredKeyNamesKeyAndFile) {
  std::string path = WriteConfig("empty.conf", "");
  std::string error;
  auto config = ConfigFile::Load(path, kKeys, &error);
  ASSERT_TRUE(config);
  EXPECT_FALSE(config->RequiredString("db_path", &error));
  EXPECT_NE(error.find("db_path"), std::string::npos);
  EXPECT_NE(error.find(path), std::string::npos);
}

}  // namespace
}  // namespace chat
