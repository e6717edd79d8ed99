// This is an internal header of the client library, not for apps.
// The device's list of conversations with unread counts, as the last sync
// gave it and as later events moved it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "chat/client/event.h"

namespace chat::client {

// Sync replaces entries wholesale (it is the server's word). Between syncs:
// a released message raises last_seq and, when a peer sent it, unread; a
// `receipt` of the user itself (read on another device) or MarkRead lowers
// unread (to last_seq - read, an upper bound, since own messages are not
// counted one by one); `conv`/`conv.new` update members, title and roles;
// a system message removing the user, or its leaving, marks it inactive.
//
// Pure and single-threaded (the client guards it for readers).
class ConversationList {
 public:
  explicit ConversationList(std::string user) : user_(std::move(user)) {}

  void ApplySync(const std::vector<ConversationSummary>& convs);
  // A message released to the application, in seq order.
  void ApplyMessage(const Event& message);
  // conv, conv.new, receipt, mute; other events are ignored.
  void ApplyEvent(const Event& event);
  void ApplyRead(const std::string& conv, int64_t seq);

  // Every conversation, ordered by id.
  std::vector<ConversationSummary> List() const;
  const ConversationSummary* Find(const std::string& conv) const;
  // The direct conversation of the user with `peer`, if the list has it.
  std::optional<std::string> DirectWith(const std::string& peer) const;

 private:
  ConversationSummary& Entry(const std::string& conv);
  void ApplyChange(ConversationSummary& c, const Event& message);

  std::string user_;
  std::map<std::string, ConversationSummary> convs_;
};

}  // namespace chat::client
