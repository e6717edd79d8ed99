// ChatClient: the protocol's client side over one Transport.
#include "chat/client/chat_client.h"

#include <utility>

#include "chat/ids.h"
#include "chat/topics.h"

namespace chat::client {

ChatClient::ChatClient(ClientOptions options, std::unique_ptr<Transport> transport)
    : options_(std::move(options)),
      up_topic_(UpTopic(options_.user, options_.device)),
      events_(options_.max_queued_events),
      transport_(transport ? std::move(transport) : MakePahoTransport()) {
  transport_->SetHandlers(
      [this](std::string topic, std::string payload) {
        OnMessage(std::move(topic), std::move(payload));
      },
      [this](std::string cause) { OnConnectionLost(std::move(cause)); });
}

ChatClient::~ChatClient() { Disconnect(); }

ConnectResult ChatClient::Connect(std::chrono::milliseconds timeout) {
  if (!IsValidId(options_.user) || !IsValidId(options_.device)) {
    return ConnectResult::Failed(ConnectResult::Outcome::kInvalidArgument,
                                 "user and device ids must match [a-z0-9_-]{1,64}");
  }
  ConnectParams params{.host = options_.host,
                       .port = options_.port,
                       .client_id = ClientIdFor(options_.user, options_.device),
                       .username = options_.user,
                       .password = options_.token,
                       .clean_session = options_.clean_session,
                       .keepalive_s = options_.keepalive_s};
  ConnectResult result = transport_->Connect(params, timeout);
  if (!result.ok()) return result;
  Status subscribed = transport_->Subscribe(
      {InboxTopic(options_.user) + "/#", DeviceTopic(options_.user, options_.device)}, 1, timeout);
  if (!subscribed.ok()) {
    transport_->Disconnect(timeout);
    bool timed_out = subscribed.code() == Status::Code::kTimedOut;
    return ConnectResult::Failed(timed_out ? ConnectResult::Outcome::kTimedOut
                                           : ConnectResult::Outcome::kSubscriptionRefused,
                                 subscribed.message());
  }
  return result;
}

void ChatClient::Disconnect(std::chrono::milliseconds timeout) { transport_->Disconnect(timeout); }

bool ChatClient::IsConnected() const { return transport_->IsConnected(); }

SendResult ChatClient::Send(SendRequest request) {
  if (!request.cmid) request.cmid = NewClientMessageId();
  SendResult result{ValidateSend(request), *request.cmid};
  if (!result.status.ok()) return result;
  pending_.ExpectAcceptance(result.cmid, request.req_id.value_or(""));
  result.status = Publish(EncodeSend(request));
  if (!result.status.ok()) pending_.ForgetSend(result.cmid);
  return result;
}

RequestResult ChatClient::CreateDirect(std::string_view with, std::optional<std::string> req_id) {
  RequestResult result{Status::Ok(), req_id ? std::move(*req_id) : NewRequestId()};
  if (!IsValidId(with)) {
    result.status = Status::Error(Status::Code::kInvalidArgument, "'with' is not a valid user id");
  } else if (!IsValidClientToken(result.req_id)) {
    result.status =
        Status::Error(Status::Code::kInvalidArgument, "'req_id' must match [A-Za-z0-9._:-]{1,64}");
  }
  if (!result.status.ok()) return result;
  pending_.ExpectReply(result.req_id);
  result.status = Publish(EncodeConvCreate(result.req_id, with));
  if (!result.status.ok()) pending_.ForgetRequest(result.req_id);
  return result;
}

std::optional<Event> ChatClient::WaitForAcceptance(std::string_view cmid,
                                                   std::chrono::milliseconds timeout) {
  return pending_.WaitForAcceptance(cmid, timeout);
}

std::optional<Event> ChatClient::WaitForReply(std::string_view req_id,
                                              std::chrono::milliseconds timeout) {
  return pending_.WaitForReply(req_id, timeout);
}

std::optional<Event> ChatClient::NextEvent(std::chrono::milliseconds timeout) {
  return events_.Pop(timeout);
}

Status ChatClient::Publish(const std::string& payload) {
  return transport_->Publish(up_topic_, payload, 1);
}

// Runs on the transport's receive thread: parse, match, queue; nothing more.
void ChatClient::OnMessage(std::string topic, std::string payload) {
  Event event = ParseEvent(payload);
  event.topic = std::move(topic);
  pending_.Offer(event);
  events_.Push(std::move(event));
}

void ChatClient::OnConnectionLost(std::string cause) {
  Event event;
  event.type = event_type::kConnectionLost;
  event.message = std::move(cause);
  events_.Push(std::move(event));
}

}  // namespace chat::client
