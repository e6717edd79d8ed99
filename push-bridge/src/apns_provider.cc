// ApnsProvider: the request headers, the environment's connection, the verdict.
#include "apns_provider.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "payload.h"
#include "verdict.h"

namespace chat::push {

namespace {

constexpr size_t kMaxCollapseIdBytes = 64;

bool IsHex(const std::string& text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c); });
}

bool HasLineBreak(const std::string& text) {
  return text.find_first_of("\r\n") != std::string::npos;
}

std::vector<std::string> ApnsHeaders(const Notification& n, const std::string& provider_token) {
  std::vector<std::string> headers = {
      "authorization: bearer " + provider_token,
      "apns-topic: " + n.app,
      "apns-push-type: " + std::string(ApnsPushType(n)),
      "apns-priority: " + std::string(ApnsPriority(n)),
      "apns-expiration: " + std::to_string(n.expires_at_s),
      "content-type: application/json",
  };
  if (!n.conv.empty()) {
    headers.push_back("apns-collapse-id: " + std::string(Utf8Prefix(n.conv, kMaxCollapseIdBytes)));
  }
  if (!n.id.empty()) headers.push_back("apns-id: " + n.id);
  return headers;
}

}  // namespace

ApnsProvider::ApnsProvider(ApnsTokenSigner signer, ApnsOptions options)
    : signer_(std::move(signer)), options_(std::move(options)) {}

Http2Client& ApnsProvider::ClientFor(bool sandbox) {
  std::unique_ptr<Http2Client>& client = sandbox ? sandbox_ : production_;
  if (!client) client = std::make_unique<Http2Client>(options_.http);
  return *client;
}

void ApnsProvider::Submit(const Notification& notification, SendCallback done) {
  if (!IsHex(notification.token)) {
    deferred_.Add(std::move(done), Refusal(Verdict::kDrop, "BadDeviceToken (not hex)"));
    return;
  }
  if (HasLineBreak(notification.app) || HasLineBreak(notification.id) ||
      HasLineBreak(notification.conv)) {
    deferred_.Add(std::move(done), Refusal(Verdict::kDrop, "line break in a header value"));
    return;
  }
  StatusOr<std::string> token = signer_.Token();
  if (!token.ok()) {
    deferred_.Add(std::move(done), Refusal(Verdict::kCredentialFault, token.status().message()));
    return;
  }
  const std::string& endpoint =
      notification.sandbox ? options_.sandbox_endpoint : options_.production_endpoint;
  HttpRequest request;
  request.url = endpoint + "/3/device/" + notification.token;
  request.headers = ApnsHeaders(notification, *token);
  request.body = BuildApnsPayload(notification);
  ClientFor(notification.sandbox)
      .Submit(std::move(request),
              [this, done = std::move(done), used = *token](const HttpResponse& answer) {
                SendResult result = ClassifyApnsAnswer(answer);
                if (result.reason == "ExpiredProviderToken") signer_.Invalidate(used);
                done(result);
              });
}

int ApnsProvider::Poll(int timeout_ms) {
  int delivered = deferred_.Deliver();
  int wait_ms = delivered > 0 ? 0 : timeout_ms;
  int busy = (production_ && production_->InFlight() > 0) + (sandbox_ && sandbox_->InFlight() > 0);
  // One libcurl multi handle cannot wait on the other's socket: share the wait.
  if (busy == 2) wait_ms /= 2;
  int in_flight = 0;
  if (production_) in_flight += production_->Poll(wait_ms);
  if (sandbox_) in_flight += sandbox_->Poll(wait_ms);
  return in_flight + deferred_.size();
}

int64_t ApnsProvider::ConnectionsOpened() const {
  return (production_ ? production_->ConnectionsOpened() : 0) +
         (sandbox_ ? sandbox_->ConnectionsOpened() : 0);
}

}  // namespace chat::push
