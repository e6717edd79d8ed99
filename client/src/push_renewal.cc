// The push registration kept until answered.
#include "push_renewal.h"

#include "chat/protocol.h"

namespace chat::client {

void PushRenewal::Keep(std::string req_id, std::string command) {
  std::lock_guard lock(mu_);
  wish_ = Request{std::move(req_id), std::move(command)};
  answered_ = false;
}

std::optional<PushRenewal::Request> PushRenewal::Unanswered() const {
  std::lock_guard lock(mu_);
  if (answered_) return std::nullopt;
  return wish_;
}

void PushRenewal::OnEvent(const Event& event) {
  if (!event.Is(event_type::kPush) && !event.Is(event_type::kError)) return;
  if (event.Is(event_type::kError)) {
    std::optional<protocol::ErrorCode> code = protocol::ParseErrorCode(event.code);
    if (code && protocol::IsRetryable(*code)) return;
  }
  std::lock_guard lock(mu_);
  if (wish_ && event.req_id == wish_->req_id) answered_ = true;
}

}  // namespace chat::client
