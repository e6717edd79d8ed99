// What an alert says, from what the store knows and the recipient's
// push_preview setting (docs/PROTOCOL.md, "Push"): the message itself, only
// who wrote, or only "New message". Pure.
#pragma once

#include <cstdint>
#include <string>

#include "store/privacy_store.h"

namespace chat::push {

struct AlertFacts {
  std::string sender;         // display name of the newest message's sender
  std::string body;           // its text
  bool group = false;         // the conversation is a group
  std::string group_title;    // its title (groups)
  int64_t unread = 1;         // unread messages in the conversation, the newest included
  int64_t conversations = 1;  // conversations this push stands for
};

struct AlertText {
  std::string title;
  std::string body;

  bool operator==(const AlertText&) const = default;
};

// full:   "alice" / "hi there"; "Team" / "alice: hi there"; "alice" / "3 new messages"
// sender: "alice" / "New message"; "Team" / "alice: New message"
// none:   "" / "New message"; "" / "3 new messages"
// Several conversations: "5 new messages in 2 chats".
AlertText ComposeAlert(const AlertFacts& facts, PushPreview preview);

}  // namespace chat::push
