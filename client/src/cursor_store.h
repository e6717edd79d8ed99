// This is an internal header of the client library, not for apps.
// Persisted per-conversation cursors: the highest seq of each conversation
// up to which every message was handed to the application.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "chat/database.h"

namespace chat::client {

// The cursors table of a state file (see OpenStateFile). Cursors only move
// forward: saving a lower value than the stored one keeps the stored one.
// SQL failures throw StoreFailure. Not thread-safe: one thread uses it and
// its Database (the client's worker).
class CursorStore {
 public:
  explicit CursorStore(Database& db);

  std::map<std::string, int64_t> LoadAll();
  // Saves all of `cursors` in one transaction.
  void Save(const std::map<std::string, int64_t>& cursors);

 private:
  Database& db_;
  Statement upsert_;
  Statement select_all_;
};

}  // namespace chat::client
