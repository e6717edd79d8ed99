// This is an internal header of the client library, not for apps.
// The client's state file: one SQLite database per device installation
// holding the outbox and the per-conversation cursors.
#pragma once

#include <string>

#include "chat/database.h"

namespace chat::client {

// Opens (creating if needed) the state file at `path`, or a private
// in-memory database when `path` is empty, and brings its schema to the
// version this library knows (PRAGMA user_version; the tables are created
// in one transaction, so a half-made file cannot exist).
//
// A state file belongs to one identity: the first open records
// `owner` ("user:device"); opening it for another identity, or a file made
// by a newer library, throws StoreFailure, as do I/O errors. Several
// connections (one per thread that needs one) may open the same file.
Database OpenStateFile(const std::string& path, const std::string& owner);

}  // namespace chat::client
