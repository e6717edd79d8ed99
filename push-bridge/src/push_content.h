// Turns the jobs owed to one device into the one Notification that stands
// for them, reading what it says from the store: the newest message, the
// conversation, the unread counts (the badge is the server's: unread
// messages across every conversation of the user) and the user's
// push_preview. pushd's thread only.
#pragma once

#include <cstdint>
#include <vector>

#include "chat/database.h"
#include "notification.h"
#include "store/conversation_store.h"
#include "store/message_store.h"
#include "store/privacy_store.h"
#include "store/push_store.h"

namespace chat::push {

class PushContent {
 public:
  explicit PushContent(Database& db);

  // `jobs`: of one device, oldest first, all of `kind`'s family (clears
  // alone; alerts and badges together, an alert making it an alert).
  Notification Build(const PushRegistration& registration, const std::vector<PushJob>& jobs,
                     int64_t now_ms, int64_t ttl_s);

  // Unread messages of `user` across every conversation.
  int64_t Badge(const std::string& user);

 private:
  int64_t UnreadIn(const std::string& conv, const std::string& user);
  std::string DisplayName(const std::string& user);

  Database& db_;
  ConversationStore conversations_;
  MessageStore messages_;
  PrivacyStore privacy_;
};

// A random (version 4) UUID: apns-id, and the push's name in every log line.
std::string NewPushId();

}  // namespace chat::push
