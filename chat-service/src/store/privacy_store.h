// Blocks, mutes and per-user privacy settings in SQLite
// (schema/004_privacy.sql; docs/PROTOCOL.md, "Privacy"). Writes happen on
// chatd's writer thread inside its batch transactions; the reads also serve
// the query thread (and presence) on their own connections. No row means the
// default: nobody blocked, nothing muted, presence for everyone, read
// receipts on.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chat/database.h"

namespace chat {

// Who sees a user's presence (online, away, last seen).
enum class PresenceAudience {
  kEveryone,  // every user who shares a conversation with them
  kContacts,  // their direct-conversation partners only
  kNobody,
};
// The wire (and stored) name: "everyone", "contacts", "nobody".
std::string_view PresenceAudienceName(PresenceAudience audience);
std::optional<PresenceAudience> ParsePresenceAudience(std::string_view name);

// What a push alert shows on the lock screen.
enum class PushPreview {
  kFull,    // the sender and the message text
  kSender,  // only who wrote
  kNone,    // only "New message"
};
// The wire (and stored) name: "full", "sender", "none".
std::string_view PushPreviewName(PushPreview preview);
std::optional<PushPreview> ParsePushPreview(std::string_view name);

struct PrivacySettings {
  PresenceAudience presence = PresenceAudience::kEveryone;
  // Off: other users never learn how far this user has read.
  bool read_receipts = true;
  PushPreview push_preview = PushPreview::kFull;

  bool operator==(const PrivacySettings&) const = default;
};

class PrivacyStore {
 public:
  explicit PrivacyStore(Database& db);

  // --- Blocks: one direction each; blocking twice is blocking once. ---
  void Block(const std::string& blocker, const std::string& blocked, int64_t now_ms);
  void Unblock(const std::string& blocker, const std::string& blocked);
  // Whether `blocker` has blocked `blocked` (one direction).
  bool Blocked(const std::string& blocker, const std::string& blocked);
  // Whether either of `a` and `b` has blocked the other: what 1:1 messages,
  // typing and presence between them check.
  bool EitherBlocked(const std::string& a, const std::string& b);
  // The users `blocker` has blocked, ascending.
  std::vector<std::string> BlockedBy(const std::string& blocker);

  // --- Mutes of one user's conversation. ---
  // Mutes until `until_ms` (Unix ms; 0: until unmuted), replacing an earlier mute.
  void Mute(const std::string& user, const std::string& conv, int64_t until_ms);
  void Unmute(const std::string& user, const std::string& conv);
  // The mute in force at `now_ms`: its until_ms (0: until unmuted), or
  // nullopt when not muted (never muted, unmuted, or expired).
  std::optional<int64_t> MutedUntil(const std::string& user, const std::string& conv,
                                    int64_t now_ms);
  // Every mute of `user` in force at `now_ms`: conv -> until_ms.
  std::map<std::string, int64_t> MutesOf(const std::string& user, int64_t now_ms);

  // --- Prefetching (chatd's writer) ---
  // Reads every block among these users in one statement (per chunk);
  // EitherBlocked of two of them answers from that until ForgetPrefetched.
  // Block and Unblock forget it.
  void PrefetchBlocks(const std::vector<std::string>& users);
  void ForgetPrefetched();

  // --- Settings: the defaults until first set. ---
  PrivacySettings Settings(const std::string& user);
  void SetSettings(const std::string& user, const PrivacySettings& settings);

 private:
  Database& db_;
  std::set<std::string> block_users_;                     // prefetched users
  std::set<std::pair<std::string, std::string>> blocks_;  // (blocker, blocked) among them
};

}  // namespace chat
