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
  auto config = ConfigFile::Load(path, kKeys);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->String("db_path"), "chat.db");
  int64_t port = 1883;
  EXPECT_TRUE(config->Integer("broker_port", 1, 65535, &port).ok());
  EXPECT_EQ(port, 1884);
  EXPECT_EQ(config->ResolvePath("chat.db"), ::testing::TempDir() + "/chat.db");
}

TEST(ConfigFile, UnknownKeyNamesKeyFileAndLine) {
  std::string path = WriteConfig("typo.conf", "db_path = x\nbrokr_port = 1\n");
  auto config = ConfigFile::Load(path, kKeys);
  ASSERT_FALSE(config.ok());
  const std::string& error = config.status().message();
  EXPECT_NE(error.find(path + ":2"), std::string::npos) << error;
  EXPECT_NE(error.find("brokr_port"), std::string::npos) << error;
}

TEST(ConfigFile, BadIntegerNamesTheKey) {
  std::string path = WriteConfig("int.conf", "broker_port = lots\n");
  auto config = ConfigFile::Load(path, kKeys);
  ASSERT_TRUE(config.ok());
  int64_t port = 1883;
  Status bad = config->Integer("broker_port", 1, 65535, &port);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(port, 1883);
  EXPECT_NE(bad.message().find("'broker_port'"), std::string::npos) << bad.message();
}

TEST(ConfigFile, MissingRequiredKeyNamesKeyAndFile) {
  std::string path = WriteConfig("empty.conf", "");
  auto config = ConfigFile::Load(path, kKeys);
  ASSERT_TRUE(config.ok());
  auto db = config->RequiredString("db_path");
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("db_path"), std::string::npos);
  EXPECT_NE(db.status().message().find(path), std::string::npos);
}

}  // namespace
}  // namespace chat
