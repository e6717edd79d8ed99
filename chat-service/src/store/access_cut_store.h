// The log of access taken away (schema/007_access_cuts.sql): written where a
// token is revoked, a user banned or a device kicked (AccountStore), read by
// chatd's AccessWatcher, which disconnects those devices on every broker node.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chat/database.h"

namespace chat {

struct AccessCut {
  int64_t id = 0;
  std::string user;
  std::string device;  // empty: every device of the user
  std::string reason;  // "revoked", "banned" or "kicked"
  int64_t at_s = 0;
};

class AccessCutStore {
 public:
  explicit AccessCutStore(Database& db);

  void Record(const std::string& user, const std::string& device, const std::string& reason,
              int64_t at_s);
  // The cuts after `id`, oldest first, at most `limit`.
  std::vector<AccessCut> After(int64_t id, int64_t limit);
  // The id of the last cut made before `at_s` (0: none): where a reader that
  // starts at `at_s` begins.
  int64_t LastIdBefore(int64_t at_s);

 private:
  Database& db_;
};

}  // namespace chat
