// Opens the store a db_path names, SQLite or PostgreSQL.
#include "chat/store_target.h"

#include "database_engine.h"

namespace chat {

Database OpenStore(const std::string& target, Database::Mode mode) {
  if (!IsPostgresUrl(target)) return Database::Open(target, mode);
  return Database::Adopt(detail::OpenPostgres(target, mode), StoreName(target));
}

std::string StoreName(const std::string& target) {
  return IsPostgresUrl(target) ? detail::RedactedUrl(target) : target;
}

}  // namespace chat
