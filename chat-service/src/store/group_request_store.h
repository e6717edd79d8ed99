// Group commands already applied, remembered by the requesting device's
// req_id so that a resend is answered instead of applied twice
// (docs/PROTOCOL.md, "Groups"). Used on chatd's writer thread inside its
// batch transactions, so a remembered request commits or rolls back
// together with the change it made.
#pragma once

#include <optional>
#include <string>

#include "chat/database.h"
#include "store/records.h"

namespace chat {

class GroupRequestStore {
 public:
  explicit GroupRequestStore(Database& db);

  // The request `user`'s `device` applied with `req_id` at or after
  // `since_ms`, if any.
  std::optional<AppliedGroupRequest> Find(const std::string& user, const std::string& device,
                                          const std::string& req_id, int64_t since_ms);
  // Remembers `request` under (user, device, req_id), replacing an older
  // request that used the same req_id.
  void Remember(const std::string& user, const std::string& device, const std::string& req_id,
                const AppliedGroupRequest& request);
  // Forgets every request applied before `before_ms` (an index range delete).
  void ForgetOlderThan(int64_t before_ms);

 private:
  Database& db_;
};

}  // namespace chat
