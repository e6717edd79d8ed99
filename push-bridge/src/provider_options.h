// What the job loop configures for the providers (from pushd's config file),
// and the clock they read, injectable so tests can move time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace chat::push {

// Seconds since the Unix epoch; chat::NowSeconds in production.
using SecondsClock = std::function<int64_t()>;

// One HTTP/2 connection to one origin (Http2Client).
struct Http2Options {
  std::string ca_file;               // empty: the system's CAs; tests give their fake's certificate
  int max_concurrent_streams = 100;  // our ceiling; the server's SETTINGS may lower it
  int request_timeout_ms = 10000;    // a push unanswered after this is a kRetry
  int connect_timeout_ms = 5000;
  int keepalive_interval_s = 30;  // TCP keepalive probes on the idle connection
};

struct FcmOptions {
  std::string endpoint = "https://fcm.googleapis.com";  // tests: the local fake
  Http2Options http;
};

struct ApnsOptions {
  std::string production_endpoint = "https://api.push.apple.com";
  std::string sandbox_endpoint = "https://api.sandbox.push.apple.com";
  Http2Options http;  // the same for both environments' connections
};

}  // namespace chat::push
