// Alert titles and bodies.
#include "alert_text.h"

namespace chat::push {

namespace {
std::string NewMessages(int64_t count) {
  return count <= 1 ? "New message" : std::to_string(count) + " new messages";
}
}  // namespace

AlertText ComposeAlert(const AlertFacts& facts, PushPreview preview) {
  if (facts.conversations > 1) {
    return {"",
            NewMessages(facts.unread) + " in " + std::to_string(facts.conversations) + " chats"};
  }
  if (preview == PushPreview::kNone) return {"", NewMessages(facts.unread)};
  std::string title = facts.group ? facts.group_title : facts.sender;
  if (facts.unread > 1) return {title, NewMessages(facts.unread)};
  std::string text = preview == PushPreview::kFull ? facts.body : NewMessages(1);
  return {title, facts.group ? facts.sender + ": " + text : text};
}

}  // namespace chat::push
