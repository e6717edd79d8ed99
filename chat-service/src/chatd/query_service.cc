// Sync, history, receipts queries and the typing relay.
#include "chatd/query_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "chat/clock.h"
#include "chat/json_writer.h"
#include "chat/store_target.h"
#include "chat/topics.h"
#include "chatd/events.h"

namespace chat {

using json = nlohmann::json;

namespace {

// A page names the sender's device and cmid of the requester's own messages
// only: they let a device recognise its own sends.
EventForm FormFor(const std::string& requester, const StoredMessage& m) {
  return m.from == requester ? EventForm::kOwn : EventForm::kListed;
}

}  // namespace

QueryService::QueryService(const std::string& db_path, BlockingQueue<Command>& queries,
                           const PresenceView& presence, PresenceOptions people, Publish publish,
                           PacedRoute paced)
    : db_(OpenStore(db_path, Database::Mode::kReadOnly)),
      queries_(queries),
      conversations_(db_),
      messages_(db_),
      privacy_(db_),
      presence_(presence),
      presence_changes_(people.changes),
      audience_changes_(people.audience_changes),
      presence_synced_(people.synced),
      people_(db_, people.grace_ms, std::move(people.store_last_seen)),
      publish_(std::move(publish)),
      paced_(paced) {}

void QueryService::Run(const std::atomic<bool>& stop) {
  while (!stop || queries_.size() > 0) {
    // Woken by a query, or by presence changes (Wake), taken together at
    // most every kPeopleBatch.
    std::vector<Command> batch = queries_.PopBatch(64, NextWait());
    auto now = std::chrono::steady_clock::now();
    if (!batch.empty() || now - last_people_update_ >= kPeopleBatch) {
      last_people_update_ = now;
      UpdatePeople();  // first: a watch is answered with every change that came before it
    }
    AnswerHeldWatches();
    for (Command& command : batch) {
      if (!HoldWatch(command)) Answer(command);
    }
  }
}

std::chrono::milliseconds QueryService::NextWait() const {
  using std::chrono::milliseconds;
  milliseconds wait(100);
  if (std::optional<int64_t> due = people_.NextDeadline()) {
    wait = std::min(wait, milliseconds(std::max<int64_t>(*due - NowMillis(), 0)));
  }
  if (presence_changes_.size() > 0 || audience_changes_.size() > 0) {
    auto next = last_people_update_ + kPeopleBatch - std::chrono::steady_clock::now();
    wait = std::min(wait, std::max(std::chrono::ceil<milliseconds>(next), milliseconds(0)));
  }
  return wait;
}

bool QueryService::HoldWatch(Command& command) {
  if (presence_synced_ || !std::holds_alternative<PresenceWatchCommand>(command.body)) return false;
  if (held_watches_.empty()) held_since_ = std::chrono::steady_clock::now();
  held_watches_.push_back(std::move(command));
  return true;
}

void QueryService::AnswerHeldWatches() {
  if (held_watches_.empty()) return;
  if (!presence_synced_ && std::chrono::steady_clock::now() - held_since_ < kHoldWatchesAtMost) {
    return;
  }
  if (!presence_synced_) {
    spdlog::warn("presence: no snapshot from the broker plugin after {} s; answering {} watch(es)",
                 kHoldWatchesAtMost.count(), held_watches_.size());
  }
  // The snapshot's changes are queued by now (chatd.h): apply them first.
  last_people_update_ = std::chrono::steady_clock::now();
  UpdatePeople();
  for (const Command& command : held_watches_) Answer(command);
  held_watches_.clear();
}

void QueryService::UpdatePeople() {
  std::vector<PresenceTransition> changes =
      presence_changes_.PopBatch(100000, std::chrono::milliseconds(0));
  std::vector<std::string> audience =
      audience_changes_.PopBatch(100000, std::chrono::milliseconds(0));
  std::optional<int64_t> due = people_.NextDeadline();
  int64_t now = NowMillis();
  if (changes.empty() && audience.empty() && (!due || *due > now)) return;
  std::sort(audience.begin(), audience.end());
  audience.erase(std::unique(audience.begin(), audience.end()), audience.end());
  FanoutBatch out;
  try {
    db_.Exec("BEGIN");
    for (const PresenceTransition& change : changes) people_.OnTransition(change, out, now);
    people_.Expire(out, now);
    people_.Refresh(audience, out);
    db_.Exec("COMMIT");
  } catch (const StoreFailure& failure) {
    if (db_.Lost()) throw;  // chatd stops (see Writer)
    spdlog::error("presence update failed: {}", failure.what());
    try {
      db_.Exec("ROLLBACK");
    } catch (const StoreFailure&) {
    }
  }
  PublishAll(out);
}

void QueryService::PublishAll(FanoutBatch& out) {
  for (const auto& payload : out.Encode()) publish_(payload);
}

void QueryService::Answer(const Command& command) {
  FanoutBatch out;
  try {
    db_.Exec("BEGIN");  // one consistent snapshot per query
    std::visit(
        [&](const auto& body) {
          using T = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<T, SyncCommand>) Sync(command, body, out);
          if constexpr (std::is_same_v<T, HistoryCommand>) History(command, body, out);
          if constexpr (std::is_same_v<T, ReceiptsQueryCommand>) Receipts(command, body, out);
          if constexpr (std::is_same_v<T, TypingCommand>) Typing(command, body, out);
          if constexpr (std::is_same_v<T, PresenceWatchCommand>) {
            people_.Watch(command, body, out);
          }
          if constexpr (std::is_same_v<T, PresenceSetCommand>) people_.Set(command, body, out);
          if constexpr (std::is_same_v<T, BlocksQueryCommand>) Blocks(command, out);
          if constexpr (std::is_same_v<T, SettingsGetCommand>) Settings(command, out);
        },
        command.body);
    db_.Exec("COMMIT");
  } catch (const StoreFailure& failure) {
    if (db_.Lost()) throw;  // chatd stops (see Writer)
    spdlog::error("query from {}/{} failed: {}", command.sender.user, command.sender.device,
                  failure.what());
    try {
      db_.Exec("ROLLBACK");
    } catch (const StoreFailure&) {
    }
    out.Clear();
    Reject(command, ErrorCode::kInternal, "the server could not read this; retry", out);
  }
  paced_.Take(out);
  std::size_t oversize = 0;
  std::vector<std::string> payloads =
      out.Encode(1000, protocol::kMaxServicePayloadBytes, &oversize);
  if (oversize > 0) {
    spdlog::error(
        "reply to {}/{} req_id={} is larger than the broker's packet limit ({} bytes); "
        "not sent",
        command.sender.user, command.sender.device, command.req_id, protocol::kMaxPacketBytes);
    out.Clear();
    Reject(command, ErrorCode::kInternal, "the reply is larger than the broker's packet limit",
           out);
    payloads = out.Encode();
  }
  for (const auto& payload : payloads) publish_(payload);
}

void QueryService::Reject(const Command& command, ErrorCode code, const std::string& message,
                          FanoutBatch& out) {
  spdlog::info("rejected {}/{} req_id={}: {} ({})", command.sender.user, command.sender.device,
               command.req_id, ErrorCodeName(code), message);
  out.AddOne(DeviceTopic(command.sender.user, command.sender.device),
             protocol::EncodeError({code, message, command.req_id, command.cmid, std::nullopt}));
}

std::optional<Membership> QueryService::RequireMember(const Command& command,
                                                      const std::string& conv, MemberState state,
                                                      FanoutBatch& out) {
  if (conversations_.Kind(conv).empty()) {
    Reject(command, ErrorCode::kUnknownConversation, "no conversation '" + conv + "'", out);
    return std::nullopt;
  }
  auto member = conversations_.MembershipOf(conv, command.sender.user);
  if (!member || (state == MemberState::kActive && !member->active())) {
    Reject(command, ErrorCode::kNotMember, "not a member of '" + conv + "'", out);
    return std::nullopt;
  }
  return member;
}

void QueryService::Sync(const Command& command, const SyncCommand& sync, FanoutBatch& out) {
  const std::string& user = command.sender.user;
  // The whole conversation list first: every page carries it, and the
  // messages get the room it leaves in one publish.
  struct Visible {
    std::string conv;
    Membership member;
    int64_t upto;
  };
  std::vector<Visible> visible;
  json convs = json::array();
  std::map<std::string, int64_t> mutes = privacy_.MutesOf(user, NowMillis());
  for (const auto& [conv, member] : conversations_.ConversationsOf(user)) {
    int64_t upto = member.VisibleUpTo(conversations_.LastSeq(conv));
    json entry = ConversationJson(conversations_.Info(conv));
    int64_t unread_from = std::max(member.read_seq, member.joined_seq - 1);
    entry["last_seq"] = upto;
    entry["read_seq"] = member.read_seq;
    entry["unread"] = messages_.CountUnread(conv, user, unread_from, upto);
    entry["active"] = member.active();
    if (auto mute = mutes.find(conv); mute != mutes.end()) entry["muted_until"] = mute->second;
    convs.push_back(std::move(entry));
    visible.push_back({conv, member, upto});
  }
  std::string convs_json = Dump(convs);
  // Each cursor is at most a quoted id, a colon, a number and a comma.
  constexpr std::size_t kCursorBytes = 96;
  std::size_t reserved =
      convs_json.size() + kCursorBytes * (visible.size() + sync.cursors.size()) + kEnvelopeBytes;
  std::size_t budget =
      reserved < protocol::kMaxServicePayloadBytes
          ? std::min(protocol::kMaxSyncPageBytes, protocol::kMaxServicePayloadBytes - reserved)
          : 0;
  JsonArrayWriter messages;
  json cursors = json::object();
  for (const auto& [conv, seq] : sync.cursors) cursors[conv] = seq;
  int64_t room = sync.limit;
  std::size_t bytes = 0;
  bool more = false;
  for (const Visible& v : visible) {
    auto known = sync.cursors.find(v.conv);
    int64_t known_seq = known == sync.cursors.end() ? 0 : known->second;
    int64_t after = std::max(known_seq, v.member.joined_seq - 1);
    int64_t cursor = after;
    if (!more) {
      for (const auto& m : messages_.After(v.conv, after, v.upto, room)) {
        std::string encoded = EncodeMessage(m, FormFor(user, m));
        if (bytes + encoded.size() > budget) break;
        bytes += encoded.size();
        messages.Raw(encoded);
        cursor = m.seq;
        --room;
      }
      if (cursor < v.upto) more = true;
    }
    cursors[v.conv] = std::max(cursor, known_seq);
  }
  if (more && bytes == 0) {
    spdlog::error(
        "sync {}/{}: the conversation list ({} bytes) leaves no room for messages "
        "under the broker's packet limit",
        user, command.sender.device, convs_json.size());
  }
  JsonObjectWriter reply;
  reply.String("type", protocol::event::kSync)
      .Raw("convs", convs_json)
      .Raw("messages", messages.Finish())
      .Raw("cursors", Dump(cursors))
      .Bool("more", more);
  if (!command.req_id.empty()) reply.String("req_id", command.req_id);
  out.AddOne(DeviceTopic(user, command.sender.device), reply.Finish());
  spdlog::debug("sync {}/{}: {} messages, more={}", user, command.sender.device, sync.limit - room,
                more);
}

void QueryService::History(const Command& command, const HistoryCommand& history,
                           FanoutBatch& out) {
  auto member = RequireMember(command, history.conv, MemberState::kActiveOrRemoved, out);
  if (!member) return;
  int64_t upto = member->VisibleUpTo(conversations_.LastSeq(history.conv));
  int64_t before = history.before == 0 ? upto + 1 : std::min(history.before, upto + 1);
  auto found = messages_.Before(history.conv, before, member->joined_seq, history.limit);
  // The newest ones that fit one publish; `more` then points at the rest.
  std::vector<std::string> encoded;
  std::size_t bytes = kEnvelopeBytes;
  for (auto m = found.rbegin(); m != found.rend(); ++m) {
    std::string json = EncodeMessage(*m, FormFor(command.sender.user, *m));
    if (bytes + json.size() > protocol::kMaxServicePayloadBytes) break;
    bytes += json.size() + 1;
    encoded.push_back(std::move(json));
  }
  JsonArrayWriter messages;
  for (auto m = encoded.rbegin(); m != encoded.rend(); ++m) messages.Raw(*m);
  bool more = false;
  if (!found.empty()) {
    int64_t oldest =
        encoded.empty() ? found.back().seq + 1 : found[found.size() - encoded.size()].seq;
    more = oldest > member->joined_seq;
  }
  JsonObjectWriter reply;
  reply.String("type", protocol::event::kHistory)
      .String("conv", history.conv)
      .Raw("messages", messages.Finish())
      .Bool("more", more);
  if (!command.req_id.empty()) reply.String("req_id", command.req_id);
  out.AddOne(DeviceTopic(command.sender.user, command.sender.device), reply.Finish());
}

void QueryService::Receipts(const Command& command, const ReceiptsQueryCommand& query,
                            FanoutBatch& out) {
  // Who read what changes after a removal: a removed member learns none of it.
  auto member = RequireMember(command, query.conv, MemberState::kActive, out);
  if (!member) return;
  // A member with read receipts off is never listed as having read, but to
  // itself.
  std::vector<std::string> read = conversations_.ReadBy(query.conv, query.seq);
  std::erase_if(read, [&](const std::string& user) {
    return user != command.sender.user && !privacy_.Settings(user).read_receipts;
  });
  json reply{{"type", protocol::event::kReceipts},
             {"conv", query.conv},
             {"seq", query.seq},
             {"read", read},
             {"delivered", conversations_.DeliveredTo(query.conv, query.seq)}};
  if (!command.req_id.empty()) reply["req_id"] = command.req_id;
  out.AddOne(DeviceTopic(command.sender.user, command.sender.device), Dump(reply));
}

void QueryService::Typing(const Command& command, const TypingCommand& typing, FanoutBatch& out) {
  int64_t now = NowMillis();
  auto key = std::make_tuple(command.sender.user, command.sender.device, typing.conv);
  auto it = last_typing_ms_.find(key);
  if (it != last_typing_ms_.end() && now - it->second < protocol::kTypingIntervalMs)
    return;                                                      // shed
  if (last_typing_ms_.size() > 100000) last_typing_ms_.clear();  // bounded memory
  last_typing_ms_[key] = now;
  if (!RequireMember(command, typing.conv, MemberState::kActive, out)) return;
  std::vector<std::string> topics;
  for (const auto& user : conversations_.ActiveMembers(typing.conv)) {
    // Blocked users see what a stranger sees: no typing, even in a shared group.
    if (user != command.sender.user && presence_.IsOnline(user) &&
        !privacy_.EitherBlocked(command.sender.user, user)) {
      topics.push_back(InboxTopic(user, typing.conv));
    }
  }
  out.AddTyping(std::move(topics), EncodeTyping(command.sender.user));
}

void QueryService::Blocks(const Command& command, FanoutBatch& out) {
  out.AddOne(DeviceTopic(command.sender.user, command.sender.device),
             EncodeBlocks(privacy_.BlockedBy(command.sender.user), command.req_id));
}

void QueryService::Settings(const Command& command, FanoutBatch& out) {
  out.AddOne(DeviceTopic(command.sender.user, command.sender.device),
             EncodeSettings(privacy_.Settings(command.sender.user), command.req_id));
}

}  // namespace chat
