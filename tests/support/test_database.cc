// Fresh databases for tests, on SQLite or on the scratch PostgreSQL server.
#include "chat/support/test_database.h"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "chat/store_target.h"

namespace chat::support {

namespace {
std::string DatabaseName(const std::string& name) {
  std::string out = "t_";
  for (char c : name) {
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  }
  out = out.substr(0, 40) + "_" + std::to_string(::getpid());
  return out;
}

// `server` (a URL of any database there) naming `database` instead, its
// query string (?host=/run/postgresql&...) kept.
std::string WithDatabase(const std::string& server, const std::string& database) {
  std::size_t query = server.find('?');
  std::string base = server.substr(0, query);
  std::string rest = query == std::string::npos ? "" : server.substr(query);
  return base.substr(0, base.rfind('/') + 1) + database + rest;
}
}  // namespace

std::optional<std::string> TestDatabase::PostgresServer() {
  const char* file = std::getenv("CHAT_TEST_POSTGRES_URL_FILE");
  if (!file) return std::nullopt;
  std::ifstream in(file);
  std::string url;
  if (!std::getline(in, url) || url.empty()) return std::nullopt;
  return url;
}

TestDatabase::TestDatabase(Database::Engine engine, const std::string& name) : engine_(engine) {
  if (engine_ == Database::Engine::kSqlite) {
    name_ = std::filesystem::temp_directory_path() / (DatabaseName(name) + ".db");
    for (const char* suffix : {"", "-wal", "-shm", ".writer.lock"}) {
      std::filesystem::remove(name_ + suffix);
    }
    target_ = name_;
    return;
  }
  auto server = PostgresServer();
  if (!server) throw StoreFailure("no scratch PostgreSQL server (CHAT_TEST_POSTGRES_URL_FILE)");
  CreateOn(*server, name);
}

TestDatabase::TestDatabase(const std::string& server_url, const std::string& name)
    : engine_(Database::Engine::kPostgres) {
  CreateOn(server_url, name);
}

void TestDatabase::CreateOn(const std::string& server, const std::string& name) {
  server_ = server;
  name_ = DatabaseName(name);
  Database admin = OpenStore(server_);
  admin.Exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  admin.Exec("CREATE DATABASE " + name_);
  target_ = WithDatabase(server_, name_);
}

TestDatabase::~TestDatabase() {
  try {
    if (engine_ == Database::Engine::kSqlite) {
      for (const char* suffix : {"", "-wal", "-shm", ".writer.lock"}) {
        std::filesystem::remove(name_ + suffix);
      }
      return;
    }
    Database admin = OpenStore(server_);
    admin.Exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // The scratch server goes with the fixture anyway.
  }
}

Database TestDatabase::Open(Database::Mode mode) const { return OpenStore(target_, mode); }

std::string EngineName(Database::Engine engine) {
  return engine == Database::Engine::kPostgres ? "postgres" : "sqlite";
}

}  // namespace chat::support
