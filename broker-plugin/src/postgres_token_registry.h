// TokenRegistry over chatd's PostgreSQL database, for broker nodes on
// machines of their own (docs/ARCHITECTURE.md, "PostgreSQL").
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "chat/database.h"
#include "token_registry.h"

namespace chat::plugin {

// One read-only connection, opened on the first Check, and one primary-key
// lookup per Check (each its own snapshot: a device provisioned a moment ago
// connects at once). Fails closed: when the server cannot be reached or
// queried the answer is kUnavailable and the connection is dropped. Check
// runs on the broker's only thread, so a failed connection is not tried
// again for `retry_after` (every device is refused meanwhile, without
// waiting), and connecting waits at most `connect_timeout_s`.
class PostgresTokenRegistry final : public TokenRegistry {
 public:
  explicit PostgresTokenRegistry(std::string url,
                                 std::chrono::milliseconds retry_after = std::chrono::seconds(1),
                                 int connect_timeout_s = 2);

  Registration Check(std::string_view jti, std::string_view user, std::string_view device) override;

 private:
  std::string url_;
  std::chrono::milliseconds retry_after_;
  int connect_timeout_s_;
  std::optional<Database> db_;
  std::chrono::steady_clock::time_point next_attempt_{};
  std::string last_error_;
};

}  // namespace chat::plugin
