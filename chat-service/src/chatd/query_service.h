// Answers the read-only commands (sync, history, receipts, blocks,
// settings.get), relays typing and runs the presence of people
// (presence_service.h), on its own thread and its own read-only database
// connection, so that catch-up never holds up the writer. Every read is an index range
// scan. Commands arrive on the query queue (Chatd::OnMessage pushes them);
// everything here but the queue belongs to the query thread.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <tuple>

#include "chat/database.h"
#include "chat/protocol.h"
#include "chatd/command.h"
#include "chatd/command_queue.h"
#include "chatd/fanout_batch.h"
#include "chatd/paced_lane.h"
#include "chatd/presence_service.h"
#include "chatd/presence_view.h"
#include "store/conversation_store.h"
#include "store/message_store.h"
#include "store/privacy_store.h"

namespace chat {

class QueryService {
 public:
  using Publish = std::function<void(const std::string& control_payload)>;

  struct PresenceOptions {
    BlockingQueue<PresenceTransition>& changes;    // from the plugin, in arrival order
    BlockingQueue<std::string>& audience_changes;  // from the writer, after its commits
    // True once `changes` holds the plugin's whole snapshot (chatd.h).
    const std::atomic<bool>& synced;
    int64_t grace_ms;
    PresenceService::StoreLastSeen store_last_seen;
  };

  QueryService(const std::string& db_path, BlockingQueue<Command>& queries,
               const PresenceView& presence, PresenceOptions people, Publish publish,
               PacedRoute paced = {});

  // Answers queries until `stop` is set and the queue is drained. Call on
  // the query thread.
  void Run(const std::atomic<bool>& stop);
  // Answers one query command; publishes its reply. Query thread only.
  void Answer(const Command& command);

 private:
  // Room kept in a reply for its fields around the lists, so that sync and
  // history replies fit one publish (protocol::kMaxServicePayloadBytes).
  static constexpr std::size_t kEnvelopeBytes = 1024;

  void Sync(const Command& command, const SyncCommand& sync, FanoutBatch& out);
  void History(const Command& command, const HistoryCommand& history, FanoutBatch& out);
  void Receipts(const Command& command, const ReceiptsQueryCommand& query, FanoutBatch& out);
  void Typing(const Command& command, const TypingCommand& typing, FanoutBatch& out);
  void Blocks(const Command& command, FanoutBatch& out);
  void Settings(const Command& command, FanoutBatch& out);
  void Reject(const Command& command, ErrorCode code, const std::string& message, FanoutBatch& out);
  static constexpr std::chrono::seconds kHoldWatchesAtMost{10};
  // Presence changes are applied in batches at most this often: each batch
  // is a read transaction and a publish, whatever its size.
  static constexpr std::chrono::milliseconds kPeopleBatch{50};

  // How long the next wait for queries may be: until the next grace period
  // ends, or the next batch of presence changes is due.
  std::chrono::milliseconds NextWait() const;

  // Holds a presence.watch while the snapshot is not in; true if it did.
  bool HoldWatch(Command& command);
  void AnswerHeldWatches();
  // The plugin's transitions queued so far, the grace periods over by now,
  // and the writer's changes of who may see whom.
  void UpdatePeople();
  void PublishAll(FanoutBatch& out);
  // kActiveOrRemoved: a removed member still reads its visible range
  // (history); kActive: anything else about the conversation.
  enum class MemberState { kActive, kActiveOrRemoved };
  // The sender's membership of `conv`, or a rejection already queued.
  std::optional<Membership> RequireMember(const Command& command, const std::string& conv,
                                          MemberState state, FanoutBatch& out);

  Database db_;
  BlockingQueue<Command>& queries_;
  ConversationStore conversations_;
  MessageStore messages_;
  PrivacyStore privacy_;
  const PresenceView& presence_;
  BlockingQueue<PresenceTransition>& presence_changes_;
  BlockingQueue<std::string>& audience_changes_;
  const std::atomic<bool>& presence_synced_;
  // Watches that came before the presence snapshot was in, answered once it
  // is (or after kHoldWatchesAtMost): answered earlier, they would show
  // online users offline for a moment after chatd starts.
  std::vector<Command> held_watches_;
  std::chrono::steady_clock::time_point held_since_{};
  std::chrono::steady_clock::time_point last_people_update_{};
  PresenceService people_;
  Publish publish_;
  PacedRoute paced_;  // where `typing` goes
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> last_typing_ms_;
};

}  // namespace chat
