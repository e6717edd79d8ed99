// Pushes to iOS devices with APNs over HTTP/2 and token authentication: one
// connection per environment (production, sandbox), each request a stream.
#pragma once

#include <cstdint>
#include <memory>

#include "apns_token.h"
#include "deferred_results.h"
#include "http2_client.h"
#include "notification.h"
#include "provider_options.h"

namespace chat::push {

// POST {endpoint}/3/device/{token}, the endpoint chosen by the
// notification's `sandbox`; headers authorization (the shared provider
// token), apns-topic (the app's bundle id), apns-push-type and apns-priority
// (alert/10, or background/5 for silent pushes), apns-expiration,
// apns-collapse-id (the conversation, at most 64 bytes) and apns-id. A
// connection is opened at the first push to its environment and kept.
// A token that is not hex, or a header value with a line break, is kDrop
// before any request. On ExpiredProviderToken the signer renews (if the token
// is old enough for Apple to accept a new one).
// Thread: the job loop's, for every call; callbacks run inside Poll.
class ApnsProvider : public Provider {
 public:
  ApnsProvider(ApnsTokenSigner signer, ApnsOptions options);

  void Submit(const Notification& notification, SendCallback done) override;
  int Poll(int timeout_ms) override;

  // Over both environments.
  int64_t ConnectionsOpened() const;
  const ApnsTokenSigner& signer() const { return signer_; }

 private:
  Http2Client& ClientFor(bool sandbox);

  ApnsTokenSigner signer_;
  ApnsOptions options_;
  std::unique_ptr<Http2Client> production_;
  std::unique_ptr<Http2Client> sandbox_;
  DeferredResults deferred_;
};

}  // namespace chat::push
