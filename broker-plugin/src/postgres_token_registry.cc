// Token registration lookups in PostgreSQL, read-only and fail-closed.
#include "postgres_token_registry.h"

#include "chat/store_target.h"
#include "registration_lookup.h"

namespace chat::plugin {

PostgresTokenRegistry::PostgresTokenRegistry(std::string url, std::chrono::milliseconds retry_after,
                                             int connect_timeout_s)
    : url_(std::move(url)), retry_after_(retry_after), connect_timeout_s_(connect_timeout_s) {}

Registration PostgresTokenRegistry::Check(std::string_view jti, std::string_view user,
                                          std::string_view device) {
  Registration result;
  auto now = std::chrono::steady_clock::now();
  try {
    if (!db_) {
      if (now < next_attempt_) {
        result.detail = last_error_ + " (retrying shortly)";
        return result;
      }
      std::string separator = url_.find('?') == std::string::npos ? "?" : "&";
      db_.emplace(
          OpenStore(url_ + separator + "connect_timeout=" + std::to_string(connect_timeout_s_),
                    Database::Mode::kReadOnly));
    }
    auto lookup = db_->Cached(std::string(kRegistrationLookupSql));
    lookup->Bind(1, jti).Bind(2, user).Bind(3, device);
    if (lookup->Step() != Statement::StepResult::kRow) {
      result.status = RegistrationStatus::kUnknownToken;
      return result;
    }
    result.status = RegistrationFromRow(lookup->Int(0) != 0, lookup->Int(1) != 0,
                                        lookup->Int(2) != 0, lookup->Int(3) != 0);
  } catch (const StoreFailure& e) {
    db_.reset();
    last_error_ = e.what();
    next_attempt_ = now + retry_after_;
    result = Registration{};
    result.detail = last_error_;
  }
  return result;
}

}  // namespace chat::plugin
