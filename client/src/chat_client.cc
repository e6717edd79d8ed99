// ChatClient: the public face over its Impl; the work happens in OutboxSender (sending)
// and ClientWorker (connection, receiving, sync).
#include "chat/client/chat_client.h"

#include <functional>
#include <utility>

#include "chat/clock.h"
#include "chat/ids.h"
#include "chat/topics.h"
#include "client_worker.h"
#include "command_encoding.h"
#include "delivery_tracker.h"
#include "event_queue.h"
#include "outbox_sender.h"
#include "pending_replies.h"
#include "presence_renewal.h"
#include "push_renewal.h"
#include "state_file.h"

namespace chat::client {
namespace {

Status Invalid(std::string message) {
  return Status::Error(Status::Code::kInvalidArgument, std::move(message));
}

}  // namespace

struct ChatClient::Impl {
  Impl(ClientOptions options, std::unique_ptr<Transport> transport);

  // Publishes a valid request and tracks its reply. With `keep`, the
  // command is kept there first, to be sent again until answered.
  RequestResult Request(std::optional<std::string> req_id, const Status& valid,
                        const std::function<std::string(const std::string&)>& encode,
                        PushRenewal* keep = nullptr);
  Status Publish(const std::string& payload) { return transport_->Publish(up_topic_, payload, 1); }

  const ClientOptions options_;
  const std::string up_topic_;
  PendingReplies pending_;
  EventQueue events_;
  DeliveryTracker delivered_;
  PresenceRenewal presence_;
  PushRenewal push_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<OutboxSender> outbox_;
  std::unique_ptr<ClientWorker> worker_;  // last: its thread starts once the rest exists
};

ChatClient::Impl::Impl(ClientOptions options, std::unique_ptr<Transport> transport)
    : options_(std::move(options)),
      up_topic_(UpTopic(options_.user, options_.device)),
      events_(options_.max_queued_events),
      transport_(transport ? std::move(transport) : MakePahoTransport()) {
  std::string owner = ClientIdFor(options_.user, options_.device);
  // Two connections to one state file: the outbox's (any thread, under its
  // mutex) and the cursors' (the worker's alone). In memory they are two
  // private databases, which is as good, since both vanish at exit.
  outbox_ = std::make_unique<OutboxSender>(
      OpenStateFile(options_.state_path, owner),
      OutboxSenderOptions{options_.accept_timeout, options_.send_window},
      [this](const std::string& payload) { return Publish(payload); });
  worker_ = std::make_unique<ClientWorker>(
      ClientWorker::Borrowed{options_, *transport_, *outbox_, pending_, events_, delivered_,
                             presence_, push_},
      OpenStateFile(options_.state_path, owner));
  transport_->SetHandlers(
      [this](std::string topic, std::string payload) {
        worker_->OnMessage(std::move(topic), std::move(payload));
      },
      [this](std::string cause) { worker_->OnLost(std::move(cause)); });
}

ChatClient::ChatClient(ClientOptions options, std::unique_ptr<Transport> transport)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(transport))) {}

ChatClient::~ChatClient() {
  impl_->worker_->Stop();  // disconnects; no handler runs after the transport is gone
  impl_->transport_.reset();
}

ConnectResult ChatClient::Connect(std::chrono::milliseconds timeout) {
  if (!IsValidId(impl_->options_.user) || !IsValidId(impl_->options_.device)) {
    return ConnectResult::Failed(ConnectResult::Outcome::kInvalidArgument,
                                 "user and device ids must match [a-z0-9_-]{1,64}");
  }
  return impl_->worker_->Connect(timeout);
}

void ChatClient::Disconnect(std::chrono::milliseconds timeout) {
  impl_->worker_->Disconnect(timeout);
}

bool ChatClient::IsConnected() const { return impl_->transport_->IsConnected(); }

SendResult ChatClient::Send(SendRequest request) {
  if (!request.cmid) request.cmid = NewClientMessageId();
  SendResult result{ValidateSend(request), *request.cmid};
  if (!result.status.ok()) return result;
  // Named by the conversation once it is known, the `accepted` need not name it.
  if (auto conv = impl_->worker_->receiver().DirectConversationWith(request.to)) {
    request.conv = std::move(*conv);
    request.to.clear();
  }
  std::size_t size = EncodeSend(request).size();
  if (size > impl_->options_.max_payload_bytes) {
    result.status =
        Invalid("the send would be " + std::to_string(size) + " bytes; the broker takes at most " +
                std::to_string(impl_->options_.max_payload_bytes));
    return result;
  }
  impl_->pending_.ExpectAcceptance(result.cmid, request.req_id.value_or(""));
  try {
    impl_->outbox_->Add(request, NowMillis(), std::chrono::steady_clock::now());
  } catch (const std::exception& e) {
    impl_->pending_.ForgetSend(result.cmid);
    result.status =
        Status::Error(Status::Code::kFailed, std::string("cannot store the message: ") + e.what());
  }
  return result;
}

std::vector<OutboxEntry> ChatClient::PendingSends() const { return impl_->outbox_->Pending(); }

RequestResult ChatClient::Impl::Request(
    std::optional<std::string> req_id, const Status& valid,
    const std::function<std::string(const std::string&)>& encode, PushRenewal* keep) {
  RequestResult result{valid, req_id ? std::move(*req_id) : NewRequestId()};
  if (result.status.ok()) result.status = ValidateReqId(result.req_id);
  if (!result.status.ok()) return result;
  std::string command = encode(result.req_id);
  if (keep) keep->Keep(result.req_id, command);  // kept even while offline
  pending_.ExpectReply(result.req_id);
  result.status = Publish(command);
  if (!result.status.ok()) pending_.ForgetRequest(result.req_id);
  return result;
}

RequestResult ChatClient::CreateDirect(std::string_view with, std::optional<std::string> req_id) {
  Status valid = IsValidId(with) ? Status::Ok() : Invalid("'with' is not a valid user id");
  return impl_->Request(std::move(req_id), valid,
                        [&](const std::string& id) { return EncodeConvCreate(id, with); });
}

RequestResult ChatClient::CreateGroup(std::string_view title,
                                      const std::vector<std::string>& members,
                                      std::optional<std::string> req_id) {
  return impl_->Request(
      std::move(req_id), ValidateGroupCreate(title, members),
      [&](const std::string& id) { return EncodeGroupCreate(id, title, members); });
}

RequestResult ChatClient::AddMembers(std::string_view conv, const std::vector<std::string>& users,
                                     std::optional<std::string> req_id) {
  return impl_->Request(std::move(req_id), ValidateGroupMembers(conv, users),
                        [&](const std::string& id) {
                          return EncodeGroupMembers(protocol::command::kGroupAdd, id, conv, users);
                        });
}

RequestResult ChatClient::RemoveMembers(std::string_view conv,
                                        const std::vector<std::string>& users,
                                        std::optional<std::string> req_id) {
  return impl_->Request(
      std::move(req_id), ValidateGroupMembers(conv, users), [&](const std::string& id) {
        return EncodeGroupMembers(protocol::command::kGroupRemove, id, conv, users);
      });
}

RequestResult ChatClient::LeaveGroup(std::string_view conv, std::optional<std::string> req_id) {
  Status valid = IsValidId(conv) ? Status::Ok() : Invalid("'conv' is not a valid conversation id");
  return impl_->Request(std::move(req_id), valid,
                        [&](const std::string& id) { return EncodeGroupLeave(id, conv); });
}

RequestResult ChatClient::SetRole(std::string_view conv, std::string_view user,
                                  std::string_view role, std::optional<std::string> req_id) {
  return impl_->Request(
      std::move(req_id), ValidateGroupRole(conv, user, role),
      [&](const std::string& id) { return EncodeGroupRole(id, conv, user, role); });
}

RequestResult ChatClient::History(std::string_view conv, int64_t before, int limit,
                                  std::optional<std::string> req_id) {
  return impl_->Request(
      std::move(req_id), ValidateHistory(conv, before, limit),
      [&](const std::string& id) { return EncodeHistory(id, conv, before, limit); });
}

RequestResult ChatClient::Receipts(std::string_view conv, int64_t seq,
                                   std::optional<std::string> req_id) {
  return impl_->Request(std::move(req_id), ValidateConvSeq(conv, seq),
                        [&](const std::string& id) { return EncodeReceipts(id, conv, seq); });
}

RequestResult ChatClient::Block(std::string_view user, std::optional<std::string> req_id) {
  return impl_->Request(std::move(req_id), ValidateUser(user), [&](const std::string& id) {
    return EncodeBlock(protocol::command::kBlock, id, user);
  });
}

RequestResult ChatClient::Unblock(std::string_view user, std::optional<std::string> req_id) {
  return impl_->Request(std::move(req_id), ValidateUser(user), [&](const std::string& id) {
    return EncodeBlock(protocol::command::kUnblock, id, user);
  });
}

RequestResult ChatClient::Blocks(std::optional<std::string> req_id) {
  return impl_->Request(std::move(req_id), Status::Ok(), [](const std::string& id) {
    return EncodeQuery(protocol::command::kBlocks, id);
  });
}

RequestResult ChatClient::Mute(std::string_view conv, int64_t until_ms,
                               std::optional<std::string> req_id) {
  return impl_->Request(std::move(req_id), ValidateMute(conv, until_ms),
                        [&](const std::string& id) {
                          return EncodeMute(protocol::command::kMute, id, conv, until_ms);
                        });
}

RequestResult ChatClient::Unmute(std::string_view conv, std::optional<std::string> req_id) {
  return impl_->Request(std::move(req_id), ValidateMute(conv, 0), [&](const std::string& id) {
    return EncodeMute(protocol::command::kUnmute, id, conv, 0);
  });
}

RequestResult ChatClient::SetSettings(const SettingsChange& change,
                                      std::optional<std::string> req_id) {
  return impl_->Request(std::move(req_id), ValidateSettingsChange(change),
                        [&](const std::string& id) { return EncodeSettingsSet(id, change); });
}

RequestResult ChatClient::GetSettings(std::optional<std::string> req_id) {
  return impl_->Request(std::move(req_id), Status::Ok(), [](const std::string& id) {
    return EncodeQuery(protocol::command::kSettingsGet, id);
  });
}

RequestResult ChatClient::WatchPresence(const std::vector<std::string>& users,
                                        std::optional<std::string> req_id) {
  Status valid = ValidateWatchedUsers(users);
  if (valid.ok()) impl_->presence_.SetWatched(users);  // kept even while offline
  return impl_->Request(std::move(req_id), valid,
                        [&](const std::string& id) { return EncodePresenceWatch(id, users); });
}

Status ChatClient::SetAway(bool away) {
  impl_->presence_.SetAway(away);  // kept even while offline
  return impl_->Publish(EncodePresenceSet(away));
}

RequestResult ChatClient::RegisterPush(const PushRegistration& registration,
                                       std::optional<std::string> req_id) {
  return impl_->Request(
      std::move(req_id), ValidatePushRegistration(registration),
      [&](const std::string& id) { return EncodePushRegister(id, registration); }, &impl_->push_);
}

RequestResult ChatClient::UnregisterPush(std::optional<std::string> req_id) {
  return impl_->Request(
      std::move(req_id), Status::Ok(),
      [](const std::string& id) { return EncodeQuery(protocol::command::kPushUnregister, id); },
      &impl_->push_);
}

Status ChatClient::MarkDelivered(std::string_view conv, int64_t seq) {
  Status valid = ValidateConvSeq(conv, seq);
  return valid.ok() ? impl_->Publish(EncodeCursor(protocol::command::kDelivered, conv, seq))
                    : valid;
}

Status ChatClient::MarkRead(std::string_view conv, int64_t seq) {
  Status status = ValidateConvSeq(conv, seq);
  if (status.ok()) status = impl_->Publish(EncodeCursor(protocol::command::kRead, conv, seq));
  if (status.ok()) impl_->worker_->receiver().NoteRead(std::string(conv), seq);
  return status;
}

Status ChatClient::SendTyping(std::string_view conv) {
  if (!IsValidId(conv)) return Invalid("'conv' is not a valid conversation id");
  return impl_->Publish(EncodeTyping(conv));
}

void ChatClient::Sync() { impl_->worker_->RequestSync(); }

std::vector<ConversationSummary> ChatClient::Conversations() const {
  return impl_->worker_->receiver().Conversations();
}

std::optional<Event> ChatClient::WaitForAcceptance(std::string_view cmid,
                                                   std::chrono::milliseconds timeout) {
  return impl_->pending_.WaitForAcceptance(cmid, timeout);
}

std::optional<Event> ChatClient::WaitForReply(std::string_view req_id,
                                              std::chrono::milliseconds timeout) {
  return impl_->pending_.WaitForReply(req_id, timeout);
}

std::optional<Event> ChatClient::NextEvent(std::chrono::milliseconds timeout) {
  std::optional<Event> event = impl_->events_.Pop(timeout);
  if (event) impl_->delivered_.Record(*event);  // handed over: the cursor may move past it
  return event;
}

uint64_t ChatClient::dropped_events() const { return impl_->events_.dropped(); }

const ClientOptions& ChatClient::options() const { return impl_->options_; }

}  // namespace chat::client
