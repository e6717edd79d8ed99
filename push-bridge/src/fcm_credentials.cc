// Service-account loading, the RS256 assertion and the cached access token.
#include "fcm_credentials.h"

#include <jwt.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "jwt_handle.h"
#include "pem_key.h"

namespace chat::push {

StatusOr<ServiceAccount> LoadServiceAccount(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("service account file " + path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) {
    return Status::InvalidArgument("service account file " + path + ": not a JSON object");
  }
  auto field = [&json](const char* name) -> std::string {
    auto found = json.find(name);
    return found != json.end() && found->is_string() ? found->get<std::string>() : "";
  };
  if (field("type") != "service_account") {
    return Status::InvalidArgument("service account file " + path +
                                   ": \"type\" is not \"service_account\"");
  }
  ServiceAccount account{field("project_id"), field("client_email"), field("private_key"),
                         field("token_uri")};
  for (const auto& [name, value] : {std::pair{"project_id", &account.project_id},
                                    {"client_email", &account.client_email},
                                    {"private_key", &account.private_key},
                                    {"token_uri", &account.token_uri}}) {
    if (value->empty()) {
      return Status::InvalidArgument("service account file " + path + ": \"" + name +
                                     "\" is missing or not a string");
    }
  }
  std::string kind = PrivateKeyKind(account.private_key);
  if (kind != "RSA") {
    return Status::InvalidArgument("service account file " + path + ": \"private_key\" " +
                                   (kind.empty() ? std::string("is not a readable PEM private key")
                                                 : "holds a key of type " + kind + ", not RSA"));
  }
  return account;
}

StatusOr<std::string> MintAssertion(const ServiceAccount& account, int64_t now_s) {
  JwtHandle jwt = NewJwt();
  jwt_add_grant(jwt.get(), "iss", account.client_email.c_str());
  jwt_add_grant(jwt.get(), "scope", std::string(kFcmScope).c_str());
  jwt_add_grant(jwt.get(), "aud", account.token_uri.c_str());
  jwt_add_grant_int(jwt.get(), "iat", static_cast<long>(now_s));
  jwt_add_grant_int(jwt.get(), "exp", static_cast<long>(now_s + kAssertionLifetimeS));
  return SignJwt(jwt, JWT_ALG_RS256, account.private_key);
}

TokenExchange BlockingTokenExchange(Http2Options options) {
  return [options = std::move(options)](const HttpRequest& request) {
    return PerformBlocking(request, options);
  };
}

FcmCredentials::FcmCredentials(ServiceAccount account, TokenExchange exchange, SecondsClock clock)
    : account_(std::move(account)), exchange_(std::move(exchange)), clock_(std::move(clock)) {}

StatusOr<std::string> FcmCredentials::AccessToken() {
  int64_t now_s = clock_();
  if (!token_.empty() && now_s < refresh_at_s_) return token_;
  bool backing_off = !last_failure_.ok() && now_s < failed_at_s_ + kRetryExchangeAfterS;
  if (!backing_off) {
    Status exchanged = Exchange(now_s);
    if (exchanged.ok()) {
      last_failure_ = Status::Ok();
      return token_;
    }
    last_failure_ = exchanged;
    failed_at_s_ = now_s;
  }
  // A token not yet expired still serves while its refresh fails.
  if (!token_.empty() && now_s < refresh_at_s_ + kRefreshMarginS) return token_;
  return last_failure_;
}

void FcmCredentials::Invalidate(std::string_view rejected_token) {
  if (rejected_token != token_) return;
  token_.clear();
  refresh_at_s_ = 0;
}

Status FcmCredentials::Exchange(int64_t now_s) {
  StatusOr<std::string> assertion = MintAssertion(account_, now_s);
  if (!assertion.ok()) return assertion.status();
  HttpRequest request;
  request.url = account_.token_uri;
  request.headers = {"content-type: application/x-www-form-urlencoded"};
  // A JWT is base64url and dots only: nothing in it needs form-encoding.
  request.body =
      "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + *assertion;
  ++exchanges_;
  HttpResponse response = exchange_(request);
  std::string where = "token exchange at " + account_.token_uri + ": ";
  if (response.status == 0)
    return Status::Error(Status::Code::kNotConnected, where + response.error);
  if (response.status >= 500 || response.status == 429) {
    return Status::Error(Status::Code::kNotConnected,
                         where + "HTTP " + std::to_string(response.status));
  }
  nlohmann::json json = nlohmann::json::parse(response.body, nullptr, false);
  if (response.status != 200) {
    // Google's OAuth errors: {"error": "invalid_grant", "error_description": "..."}.
    std::string error = json.is_object() && json.contains("error") ? json["error"].dump() : "";
    return Status::Error(Status::Code::kRefused,
                         where + "HTTP " + std::to_string(response.status) + " " + error);
  }
  if (!json.is_object() || !json.contains("access_token") || !json["access_token"].is_string()) {
    return Status::Error(Status::Code::kRefused, where + "no access_token in the answer");
  }
  int64_t expires_in_s = kAssertionLifetimeS;
  if (json.contains("expires_in") && json["expires_in"].is_number_integer()) {
    expires_in_s = json["expires_in"].get<int64_t>();
  }
  token_ = json["access_token"].get<std::string>();
  refresh_at_s_ = now_s + std::max<int64_t>(0, expires_in_s - kRefreshMarginS);
  return Status::Ok();
}

}  // namespace chat::push
