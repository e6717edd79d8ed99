// When users were last seen (table last_seen, schema/005_last_seen.sql).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "chat/database.h"

namespace chat {

class PresenceStore {
 public:
  explicit PresenceStore(Database& db) : db_(db) {}

  // Keeps the later of the stored time and `seen_ms`.
  void SaveLastSeen(const std::string& user, int64_t seen_ms);
  // nullopt for a user never seen leaving.
  std::optional<int64_t> LastSeen(const std::string& user);

 private:
  Database& db_;
};

}  // namespace chat
