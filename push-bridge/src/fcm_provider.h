// Pushes to Android (and iOS through Firebase) with FCM HTTP v1, one request
// per device, multiplexed over one HTTP/2 connection.
#pragma once

#include <cstdint>
#include <string>

#include "deferred_results.h"
#include "fcm_credentials.h"
#include "http2_client.h"
#include "notification.h"
#include "provider_options.h"

namespace chat::push {

// POST {endpoint}/v1/projects/{project_id}/messages:send with the cached
// OAuth token. On a 401 the token is invalidated and that push is sent once
// more with a fresh one; a second 401 is kCredentialFault. A missing access
// token answers kCredentialFault when the token endpoint refused us, kRetry
// when it could not be reached. The token exchange itself is a blocking
// request, at most once an hour (and after a 401).
// Thread: the job loop's, for every call; callbacks run inside Poll.
class FcmProvider : public Provider {
 public:
  FcmProvider(FcmCredentials credentials, FcmOptions options, SecondsClock clock);

  void Submit(const Notification& notification, SendCallback done) override;
  int Poll(int timeout_ms) override;

  int64_t ConnectionsOpened() const { return client_.ConnectionsOpened(); }
  const FcmCredentials& credentials() const { return credentials_; }

 private:
  void Send(const Notification& notification, SendCallback done, bool after_401);

  FcmCredentials credentials_;
  FcmOptions options_;
  SecondsClock clock_;
  std::string url_;
  Http2Client client_;
  DeferredResults deferred_;
};

}  // namespace chat::push
