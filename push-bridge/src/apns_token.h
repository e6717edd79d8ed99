// APNs token authentication: the team's .p8 signing key and the ES256
// provider token minted from it, reused for most of its one-hour life.
#pragma once

#include <cstdint>
#include <string>

#include "chat/status.h"
#include "provider_options.h"

namespace chat::push {

struct ApnsKey {
  std::string pem;      // PKCS#8 EC P-256 private key; never logged
  std::string key_id;   // 10 characters, from Apple's developer account
  std::string team_id;  // 10 characters
};

// Reads the .p8 file at `path` and checks it and the ids. Every error names
// the file (or the id) and what is wrong.
StatusOr<ApnsKey> LoadApnsKey(const std::string& path, const std::string& key_id,
                              const std::string& team_id);

// The provider token: header alg ES256, kid=key_id; claims iss=team_id,
// iat=now_s.
StatusOr<std::string> MintProviderToken(const ApnsKey& key, int64_t now_s);

// Hands out one provider token per team and mints a new one only when it is
// `renew_after_s` old. Apple refuses tokens older than an hour
// (ExpiredProviderToken) and new tokens more often than every 20 minutes
// (TooManyProviderTokenUpdates), so the age is clamped to [20, 50] minutes.
// Not thread-safe: the job loop's thread only.
class ApnsTokenSigner {
 public:
  static constexpr int64_t kMinRenewAfterS = 20 * 60;
  static constexpr int64_t kMaxRenewAfterS = 50 * 60;
  static constexpr int64_t kDefaultRenewAfterS = 40 * 60;

  ApnsTokenSigner(ApnsKey key, SecondsClock clock, int64_t renew_after_s = kDefaultRenewAfterS);

  StatusOr<std::string> Token();

  // APNs called `rejected_token` expired: renew it now if it is at least
  // kMinRenewAfterS old (else Apple would answer TooManyProviderTokenUpdates).
  void Invalidate(const std::string& rejected_token);

  int64_t renew_after_s() const { return renew_after_s_; }
  int64_t mints() const { return mints_; }  // for metrics and tests

 private:
  ApnsKey key_;
  SecondsClock clock_;
  int64_t renew_after_s_;
  std::string token_;
  int64_t minted_at_s_ = 0;
  int64_t mints_ = 0;
};

}  // namespace chat::push
