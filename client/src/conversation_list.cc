// The conversation list with unread counts.
#include "conversation_list.h"

#include <algorithm>

#include "chat/protocol.h"

namespace chat::client {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

void Remove(std::vector<std::string>& list, const std::string& item) {
  list.erase(std::remove(list.begin(), list.end(), item), list.end());
}

}  // namespace

ConversationSummary& ConversationList::Entry(const std::string& conv) {
  ConversationSummary& c = convs_[conv];
  c.conv = conv;
  return c;
}

void ConversationList::ApplySync(const std::vector<ConversationSummary>& convs) {
  for (const ConversationSummary& c : convs) convs_[c.conv] = c;
}

void ConversationList::ApplyChange(ConversationSummary& c, const Event& message) {
  const SystemChange& change = message.change;
  if (change.action == protocol::action::kGroupCreated ||
      change.action == protocol::action::kMemberAdded) {
    if (!change.title.empty()) c.title = change.title;
    for (const auto& user : change.users) {
      if (!Contains(c.members, user)) c.members.push_back(user);
    }
    std::sort(c.members.begin(), c.members.end());
    if (Contains(change.users, user_)) c.active = true;
  } else if (change.action == protocol::action::kMemberRemoved ||
             change.action == protocol::action::kMemberLeft) {
    std::vector<std::string> gone = change.users;
    if (change.action == protocol::action::kMemberLeft && gone.empty())
      gone.push_back(message.from);
    for (const auto& user : gone) {
      Remove(c.members, user);
      c.roles.erase(user);
    }
    if (Contains(gone, user_)) c.active = false;
  } else if (change.action == protocol::action::kRoleChanged) {
    c.roles[change.user] = change.role;
  } else if (change.action == protocol::action::kOwnerChanged) {
    c.roles[change.user] = protocol::role::kOwner;
  }
}

void ConversationList::ApplyMessage(const Event& message) {
  if (!message.IsSequenced()) return;
  ConversationSummary& c = Entry(message.conv);
  if (message.seq <= c.last_seq) return;
  c.last_seq = message.seq;
  if (message.from == user_) {
    // Writing in a conversation means having read it up to there.
    c.read_seq = std::max(c.read_seq, message.seq);
    c.unread = 0;
  } else if (message.seq > c.read_seq && !message.IsSystem()) {
    ++c.unread;
  }
  if (message.IsSystem()) ApplyChange(c, message);
}

void ConversationList::ApplyEvent(const Event& event) {
  if (event.Is(event_type::kConv) || event.Is(event_type::kConvNew)) {
    ConversationSummary& c = Entry(event.conv);
    c.kind = event.kind;
    c.members = event.members;
    if (!event.title.empty()) c.title = event.title;
    if (!event.roles.empty()) c.roles = event.roles;
    c.active = Contains(event.members, user_);
  } else if (event.Is(event_type::kReceipt) && event.user == user_) {
    ApplyRead(event.conv, event.read);
  } else if (event.Is(event_type::kMute)) {
    Entry(event.conv).muted_until = event.muted_until;
  }
}

void ConversationList::ApplyRead(const std::string& conv, int64_t seq) {
  ConversationSummary& c = Entry(conv);
  if (seq <= c.read_seq) return;
  c.read_seq = seq;
  c.unread = std::clamp<int64_t>(c.last_seq - seq, 0, c.unread);
}

std::vector<ConversationSummary> ConversationList::List() const {
  std::vector<ConversationSummary> out;
  out.reserve(convs_.size());
  for (const auto& [conv, c] : convs_) out.push_back(c);
  return out;
}

const ConversationSummary* ConversationList::Find(const std::string& conv) const {
  auto it = convs_.find(conv);
  return it == convs_.end() ? nullptr : &it->second;
}

std::optional<std::string> ConversationList::DirectWith(const std::string& peer) const {
  for (const auto& [id, c] : convs_) {
    if (c.kind == protocol::kind::kDirect && c.active && Contains(c.members, peer)) {
      return id;
    }
  }
  return std::nullopt;
}

}  // namespace chat::client
