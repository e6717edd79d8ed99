// The fake APNs and FCM (tests/fakes/push_fakes.py) for integration tests of
// pushd: started on free loopback ports with fresh keys, scripted per device
// token, and read back through their request log.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chat/support/child_process.h"

namespace chat::testing {

// Starts both fakes in its constructor (one python process, HTTP/2 over TLS
// on 127.0.0.1) and stops them in its destructor. Files in `dir`: ca.pem,
// server.key, fcm-service-account.json (token_uri names the fake), apns-key.p8,
// apns.json, push-fakes.log (the fake's stderr), push-requests.jsonl (one JSON
// line per request and per TLS connection) and push-control.json (the
// scripted outcomes). Failures to start throw std::runtime_error with the
// fake's log. Use from the test's main thread, like TestStack.
class PushFakes {
 public:
  // `dir` exists (e.g. TestStack::dir()); the fakes' files are written there.
  explicit PushFakes(const std::string& dir);
  ~PushFakes();
  PushFakes(const PushFakes&) = delete;
  PushFakes& operator=(const PushFakes&) = delete;

  std::string apns_url() const;  // "https://127.0.0.1:P"
  std::string fcm_url() const;   // messages:send and /token live here
  std::string ca_file() const;   // the CA that signed both servers' certificate
  std::string service_account_path() const;
  std::string apns_key_path() const;       // EC P-256 .p8
  std::string apns_key_pem() const;        // its content, for signing provider tokens
  nlohmann::json service_account() const;  // the parsed service_account_path()
  const std::string& apns_key_id() const { return apns_key_id_; }
  const std::string& apns_team_id() const { return apns_team_id_; }
  const std::string& fcm_project() const { return fcm_project_; }

  // From the next request on, the provider ("apns" or "fcm") answers requests
  // for the device `token` with `outcome`, e.g. {"status":410,"reason":
  // "Unregistered"}, {"status":404,"error_code":"UNREGISTERED"},
  // {"status":503,"retry_after":2}, {"drop":true}, with "times":N to apply it
  // to the next N requests only. Token "*" scripts the provider's default.
  // Each call starts a fresh count of `times`.
  void Script(const std::string& provider, const std::string& token, nlohmann::json outcome);
  // Also sets the control file's other keys, e.g. "fcm_expires_in" or
  // "clock_offset_s" (seconds added to the fakes' clock).
  void SetControl(const std::string& key, nlohmann::json value);
  void ClearScripts();

  // The logged requests of `provider` ("apns", "fcm", "fcm_token"; "" for
  // all, "conn" for the TLS connections), oldest first.
  std::vector<nlohmann::json> Requests(const std::string& provider = "") const;
  // The number of distinct TLS connections that carried `provider`'s requests.
  int Connections(const std::string& provider) const;
  // Waits until `provider` has logged at least `n` requests.
  bool WaitForRequests(const std::string& provider, int n, std::chrono::milliseconds timeout);

  std::string Log() const;  // the fake's own stderr

 private:
  void WriteControl() const;

  std::string dir_;
  int apns_port_ = 0;
  int fcm_port_ = 0;
  std::string apns_key_id_;
  std::string apns_team_id_;
  std::string fcm_project_;
  nlohmann::json control_ = nlohmann::json::object();
  int script_serial_ = 0;
  std::unique_ptr<support::ChildProcess> process_;
};

}  // namespace chat::testing
