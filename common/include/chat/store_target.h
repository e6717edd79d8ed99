// Where a service's data lives, as its config's db_path says: a SQLite file
// (the embedded default), or a PostgreSQL URL (postgresql://...) for
// installations that outgrow one machine.
#pragma once

#include <string>
#include <string_view>

#include "chat/database.h"

namespace chat {

// True for postgresql:// and postgres:// URLs (libpq's connection URIs).
inline bool IsPostgresUrl(std::string_view target) {
  return target.starts_with("postgresql://") || target.starts_with("postgres://");
}

// Opens the SQLite file or connects to the PostgreSQL database `target`
// names; throws StoreFailure naming it (without a password) when it cannot.
Database OpenStore(const std::string& target, Database::Mode mode = Database::Mode::kReadWrite);

// `target` as logs may show it: a URL's password replaced by ***.
std::string StoreName(const std::string& target);

}  // namespace chat
