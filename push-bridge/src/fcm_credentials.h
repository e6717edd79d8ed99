// FCM's credential: a Google service account's key, traded for an OAuth2
// access token (the "2LO" JWT-bearer flow) that is cached for its lifetime.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "chat/status.h"
#include "http2_client.h"
#include "provider_options.h"

namespace chat::push {

// The fields of a service-account JSON file that FCM needs.
struct ServiceAccount {
  std::string project_id;
  std::string client_email;
  std::string private_key;  // PEM, RSA; never logged
  std::string token_uri;    // https://oauth2.googleapis.com/token, or a test fake
};

// Reads `path`: a JSON object with "type": "service_account", project_id,
// client_email, token_uri and an RSA private_key. Every error names the file
// and what is wrong with it, never the key.
StatusOr<ServiceAccount> LoadServiceAccount(const std::string& path);

inline constexpr std::string_view kFcmScope = "https://www.googleapis.com/auth/firebase.messaging";
inline constexpr int64_t kAssertionLifetimeS = 3600;  // Google's maximum

// The RS256 JWT that asks token_uri for an access token: header alg RS256,
// typ JWT; claims iss=client_email, scope=kFcmScope, aud=token_uri, iat=now_s,
// exp=now_s+3600.
StatusOr<std::string> MintAssertion(const ServiceAccount& account, int64_t now_s);

// Posts a form to the token URI and returns the answer (PerformBlocking in
// production; tests answer themselves).
using TokenExchange = std::function<HttpResponse(const HttpRequest&)>;

// The production exchange: PerformBlocking with `options` (CA file, timeouts).
TokenExchange BlockingTokenExchange(Http2Options options);

// Hands out the access token, exchanging a new assertion only when there is
// none, when the cached one is within 5 minutes of its expires_in, or after
// Invalidate: never per request. After a failed exchange it waits
// kRetryExchangeAfterS before trying again, answering with that failure.
// Not thread-safe: the job loop's thread only.
class FcmCredentials {
 public:
  static constexpr int64_t kRefreshMarginS = 300;
  static constexpr int64_t kRetryExchangeAfterS = 10;

  FcmCredentials(ServiceAccount account, TokenExchange exchange, SecondsClock clock);

  // The bearer token. Errors: kRefused when the token endpoint refused our
  // assertion (a credential fault), kNotConnected when it gave no usable
  // answer (try later), kFailed when the key cannot sign.
  StatusOr<std::string> AccessToken();

  // FCM answered 401 to `rejected_token`: the next AccessToken exchanges anew.
  // A token already replaced is ignored, so a burst of 401s for the same old
  // token costs one exchange.
  void Invalidate(std::string_view rejected_token);

  const std::string& project_id() const { return account_.project_id; }
  int64_t exchanges() const { return exchanges_; }  // for metrics and tests

 private:
  Status Exchange(int64_t now_s);

  ServiceAccount account_;
  TokenExchange exchange_;
  SecondsClock clock_;
  std::string token_;
  int64_t refresh_at_s_ = 0;  // exchange again at or after this
  Status last_failure_;
  int64_t failed_at_s_ = 0;
  int64_t exchanges_ = 0;
};

}  // namespace chat::push
