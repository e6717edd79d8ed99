// Conversations, their members, roles and receipt cursors in SQLite. Writes
// happen on chatd's writer thread inside its transactions; the read methods
// also serve the query thread on its own connection.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "chat/database.h"
#include "store/records.h"

namespace chat {

class ConversationStore {
 public:
  explicit ConversationStore(Database& db);

  // Whether `user` exists and is not disabled (AccountStore::UserExists
  // counts disabled users too).
  bool IsActiveUser(const std::string& user);
  // Whether `a` and `b` are both active members of some conversation.
  bool ShareConversation(const std::string& a, const std::string& b);
  // The ids of the user's registered devices, ascending.
  std::vector<std::string> Devices(const std::string& user);
  std::optional<std::string> FindDirect(const std::string& a, const std::string& b);
  // Creates the direct conversation of two existing users with both as members.
  std::string CreateDirect(const std::string& a, const std::string& b, int64_t now_ms);
  // Creates a group; members are added separately with AddMember.
  std::string CreateGroup(const std::string& title, int64_t now_ms);

  // "" when the conversation does not exist.
  std::string Kind(const std::string& conv);
  int64_t LastSeq(const std::string& conv);
  ConversationInfo Info(const std::string& conv);
  std::vector<std::string> ActiveMembers(const std::string& conv);
  std::optional<Membership> MembershipOf(const std::string& conv, const std::string& user);

  // Adds a member or re-activates a removed one, visible from `joined_seq`.
  void AddMember(const std::string& conv, const std::string& user, const std::string& role,
                 int64_t joined_seq, int64_t now_ms);
  void RemoveMember(const std::string& conv, const std::string& user, int64_t removed_seq);
  void SetRole(const std::string& conv, const std::string& user, const std::string& role);

  // Conversations the user is or was a member of, with its membership.
  std::vector<std::pair<std::string, Membership>> ConversationsOf(const std::string& user);

  // Cursor moves; each returns true when the stored cursor moved forward.
  bool AdvanceRead(const std::string& conv, const std::string& user, int64_t seq);
  bool AdvanceDelivered(const std::string& conv, const std::string& user, int64_t seq);
  void AdvanceDeviceDelivered(const std::string& conv, const std::string& user,
                              const std::string& device, int64_t seq);
  // Active members whose read (delivered) cursor is at or past `seq`.
  std::vector<std::string> ReadBy(const std::string& conv, int64_t seq);
  std::vector<std::string> DeliveredTo(const std::string& conv, int64_t seq);

  int64_t ConversationCount();

  // --- Prefetching (chatd's writer) ---
  // Reads the kind and active members of these conversations, the devices
  // of these users, which of these users are active, and the direct
  // conversations of these pairs of users, in a few statements; Kind,
  // ActiveMembers, Devices, IsActiveUser and FindDirect answer from that
  // until ForgetPrefetched. A change of a conversation's members here
  // forgets what was read of it; a new direct conversation is remembered.
  void Prefetch(const std::vector<std::string>& convs);
  void PrefetchDevices(const std::vector<std::string>& users);
  void PrefetchActiveUsers(const std::vector<std::string>& users);
  // Returns the conversations found.
  std::vector<std::string> PrefetchDirect(
      const std::vector<std::pair<std::string, std::string>>& pairs);
  void ForgetPrefetched();

 private:
  struct Prefetched {
    std::string kind;  // "": no such conversation
    std::vector<std::string> members;
  };
  static std::string DirectKey(const std::string& a, const std::string& b);

  Database& db_;
  std::unordered_map<std::string, Prefetched> convs_;
  std::unordered_map<std::string, std::vector<std::string>> devices_;    // user -> devices
  std::unordered_map<std::string, bool> active_users_;                   // user -> active
  std::unordered_map<std::string, std::optional<std::string>> directs_;  // direct key -> conv
};

}  // namespace chat
