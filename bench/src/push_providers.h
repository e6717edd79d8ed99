// The stand-ins for FCM and APNs in the push scenario: tests/fakes/push_fakes.py
// serving both over HTTP/2 and TLS on free loopback ports with fresh keys,
// and the requests it logged, read back as they come.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chat/support/child_process.h"

namespace bench {

// One request the fakes answered, as their log has it.
struct ProviderRequest {
  std::string provider;  // "apns" or "fcm" (a push), "fcm_token" (pushd's OAuth token)
  int status = 0;
  int64_t t_ms = 0;  // wall clock, ms since the epoch, when the fake logged it
  std::string conv;  // a push's conversation and message (empty and 0 for others)
  int64_t seq = 0;
};

// Starts both fakes in one python process in its constructor and stops them
// in its destructor. Its files (keys, certificate, control file and the
// request log) go into `dir`. Use from the main thread (ChildProcess).
class FakePushProviders {
 public:
  // Throws std::runtime_error with the fake's own log when it does not start
  // within 15 s.
  FakePushProviders(std::string dir, std::string script_path);
  ~FakePushProviders();
  FakePushProviders(const FakePushProviders&) = delete;
  FakePushProviders& operator=(const FakePushProviders&) = delete;

  pid_t pid() const { return process_->pid(); }
  // The provider lines of a pushd.conf that sends to these fakes.
  std::string PushdSettings() const;
  // The requests logged since the last call (whole lines only), oldest first.
  std::vector<ProviderRequest> TakeNewRequests();

 private:
  std::string dir_;
  std::string script_path_;
  int apns_port_ = 0, fcm_port_ = 0;
  std::string apns_key_id_, apns_team_id_;
  std::size_t log_offset_ = 0;  // bytes of the request log already taken
  std::unique_ptr<chat::support::ChildProcess> process_;
};

}  // namespace bench
