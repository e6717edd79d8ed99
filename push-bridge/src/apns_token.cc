// The .p8 key file and the cached ES256 provider token.
#include "apns_token.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "jwt_handle.h"
#include "pem_key.h"

namespace chat::push {

namespace {

constexpr size_t kAppleIdLength = 10;

bool IsAppleId(const std::string& id) {
  return id.size() == kAppleIdLength &&
         std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isalnum(c); });
}

}  // namespace

StatusOr<ApnsKey> LoadApnsKey(const std::string& path, const std::string& key_id,
                              const std::string& team_id) {
  if (!IsAppleId(key_id)) {
    return Status::InvalidArgument("APNs key id \"" + key_id + "\" (for " + path +
                                   "): must be 10 letters or digits");
  }
  if (!IsAppleId(team_id)) {
    return Status::InvalidArgument("APNs team id \"" + team_id +
                                   "\": must be 10 letters or digits");
  }
  std::ifstream in(path);
  if (!in) return Status::NotFound("APNs key file " + path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  std::string kind = PrivateKeyKind(text.str());
  if (kind != "EC P-256") {
    return Status::InvalidArgument(
        "APNs key file " + path + ": " +
        (kind.empty() ? std::string("is not a readable PEM private key")
                      : "holds a key of type " + kind + ", not EC P-256 (Apple's .p8 keys are)"));
  }
  return ApnsKey{text.str(), key_id, team_id};
}

StatusOr<std::string> MintProviderToken(const ApnsKey& key, int64_t now_s) {
  JwtHandle jwt = NewJwt();
  jwt_add_header(jwt.get(), "kid", key.key_id.c_str());
  jwt_add_grant(jwt.get(), "iss", key.team_id.c_str());
  jwt_add_grant_int(jwt.get(), "iat", static_cast<long>(now_s));
  return SignJwt(jwt, JWT_ALG_ES256, key.pem);
}

ApnsTokenSigner::ApnsTokenSigner(ApnsKey key, SecondsClock clock, int64_t renew_after_s)
    : key_(std::move(key)),
      clock_(std::move(clock)),
      renew_after_s_(std::clamp(renew_after_s, kMinRenewAfterS, kMaxRenewAfterS)) {}

StatusOr<std::string> ApnsTokenSigner::Token() {
  int64_t now_s = clock_();
  if (!token_.empty() && now_s - minted_at_s_ < renew_after_s_) return token_;
  StatusOr<std::string> minted = MintProviderToken(key_, now_s);
  if (!minted.ok()) return minted.status();
  token_ = *minted;
  minted_at_s_ = now_s;
  ++mints_;
  return token_;
}

void ApnsTokenSigner::Invalidate(const std::string& rejected_token) {
  if (rejected_token != token_) return;
  if (clock_() - minted_at_s_ < kMinRenewAfterS) return;
  token_.clear();
}

}  // namespace chat::push
