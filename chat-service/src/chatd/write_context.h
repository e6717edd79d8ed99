// What every write-side handler works with inside one batch transaction:
// the stores, the fan-out being collected, the counters and the limits.
// Lives on chatd's writer thread for the duration of one batch.
#pragma once

#include <string>
#include <vector>

#include "chatd/command.h"
#include "chatd/fanout_batch.h"
#include "chatd/presence_view.h"
#include "store/conversation_store.h"
#include "store/group_request_store.h"
#include "store/message_store.h"
#include "store/privacy_store.h"
#include "store/push_store.h"

namespace chat {

struct BatchStats {
  int accepted = 0;    // new messages stored (system messages included)
  int duplicates = 0;  // resends answered as duplicates (send: the original seq)
  int rejected = 0;    // commands answered with an error
};

struct WriteContext {
  ConversationStore& conversations;
  MessageStore& messages;
  GroupRequestStore& group_requests;
  PrivacyStore& privacy;
  PushStore& push;
  // Which devices are connected, for push planning; null: none is.
  const PresenceView* presence;
  FanoutBatch& out;
  // Users whose presence audience may have changed (presence_service.h,
  // Refresh): told to the query thread after the commit.
  std::vector<std::string>& audience_changed;
  BatchStats& stats;
  const CommandLimits& limits;
};

// Answers `command` with an `error` on its device topic and logs why.
void RejectCommand(WriteContext& ctx, const Command& command, ErrorCode code,
                   const std::string& message);

// Sends `payload` to every listed user's topic of `conv`.
void FanOutToUsers(WriteContext& ctx, const std::vector<std::string>& users,
                   const std::string& conv, std::string payload);

// Sends the live form of `message` to every listed user's topic of its
// conversation; in a large conversation these copies may be paced or shed
// (chatd/paced_lane.h).
void FanOutMessage(WriteContext& ctx, const std::vector<std::string>& users,
                   const StoredMessage& message);

// Sends `payload` to the device topic of every device of `user` but
// `except_device` (which caused it and needs none; empty: every device).
void FanOutToOtherDevices(WriteContext& ctx, const std::string& user,
                          const std::string& except_device, std::string payload);

}  // namespace chat
