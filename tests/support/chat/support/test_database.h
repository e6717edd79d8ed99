// A fresh, empty database for one test, on either engine: a SQLite file
// under the test's temp dir, or a database of its own on the scratch
// PostgreSQL server the ctest fixture `scratch_postgres` runs
// (scripts/lib/scratch_postgres.sh). Removed or dropped at destruction.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "chat/database.h"

namespace chat::support {

class TestDatabase {
 public:
  // The scratch server's URL, or nullopt when the test runs outside ctest's
  // fixture (the test should then GTEST_SKIP, saying so).
  static std::optional<std::string> PostgresServer();

  // `name` tells tests apart (a test's name will do); the process id is
  // added, so tests running side by side never share a database.
  TestDatabase(Database::Engine engine, const std::string& name);
  // A database on the PostgreSQL server at `server_url` (a URL of any of its
  // databases, e.g. .../postgres), which must let that user create databases.
  TestDatabase(const std::string& server_url, const std::string& name);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // What a config's db_path would say: the file, or the URL.
  const std::string& target() const { return target_; }
  Database Open(Database::Mode mode = Database::Mode::kReadWrite) const;

 private:
  void CreateOn(const std::string& server, const std::string& name);

  Database::Engine engine_;
  std::string name_;    // the file, or the database's name
  std::string server_;  // PostgreSQL: the server's URL
  std::string target_;
};

// "sqlite" or "postgres": for the names of parameterized tests.
std::string EngineName(Database::Engine engine);

}  // namespace chat::support

namespace chat {

// Parameterized tests print their engine by name.
inline void PrintTo(Database::Engine engine, std::ostream* out) {
  *out << support::EngineName(engine);
}

}  // namespace chat

// Instantiates the TEST_Ps of `Suite` (a ::testing::TestWithParam<
// chat::Database::Engine>) once per engine, named .../sqlite and .../postgres.
#define INSTANTIATE_ON_BOTH_ENGINES(Suite)                                                       \
  INSTANTIATE_TEST_SUITE_P(                                                                      \
      Engines, Suite,                                                                            \
      ::testing::Values(::chat::Database::Engine::kSqlite, ::chat::Database::Engine::kPostgres), \
      [](const ::testing::TestParamInfo<::chat::Database::Engine>& info) {                       \
        return ::chat::support::EngineName(info.param);                                          \
      })
