// HTTP/2 to one origin over one long-lived libcurl connection, many requests
// multiplexed on it as streams; plus a one-off blocking request for the OAuth
// token exchange.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "provider_options.h"

namespace chat::push {

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::string> headers;  // "name: value"
  std::string body;
};

struct HttpResponse {
  int status = 0;                                            // 0: no answer; `error` says why
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::string error;  // curl's message when the transfer failed
  double latency_ms = 0;

  // The first header named `name` (lower case), or "".
  std::string_view Header(std::string_view name) const;
};

using ResponseCallback = std::function<void(const HttpResponse&)>;

// A libcurl multi handle held for the process's life: with at most one
// connection per host (CURLMOPT_MAX_HOST_CONNECTIONS=1) and CURLOPT_PIPEWAIT,
// every request waits for, and then shares, the one HTTP/2 connection rather
// than opening a second one. That matters for APNs, which offers one stream
// until a request with a valid provider token has been answered. Requests
// beyond the stream ceiling queue inside libcurl.
//
// Keepalive: libcurl 7.88 sends HTTP/2 PINGs only from curl_easy_upkeep,
// and (as we read its lib/easy.c) that walks the connection cache of an easy
// handle used with curl_easy_perform, not a multi handle's; the multi API has
// no upkeep call before 8.x. So the idle connection is kept by TCP keepalive
// (Http2Options::keepalive_interval_s); a connection the server closed
// (GOAWAY, idle timeout) is noticed by libcurl at its next use and replaced,
// which ConnectionsOpened() then counts.
//
// Not thread-safe: one thread (pushd's job loop) calls everything, and the
// callbacks run inside Poll on that thread.
class Http2Client {
 public:
  explicit Http2Client(Http2Options options);
  ~Http2Client();
  Http2Client(const Http2Client&) = delete;
  Http2Client& operator=(const Http2Client&) = delete;

  // Queues the request; `done` runs inside a later Poll, exactly once.
  void Submit(HttpRequest request, ResponseCallback done);
  // Drives the transfers for at most `timeout_ms` (returns early when one
  // completes); returns the number still in flight.
  int Poll(int timeout_ms);
  int InFlight() const;
  // TCP+TLS connections opened so far (CURLINFO_NUM_CONNECTS summed over the
  // finished requests): 1 after any number of requests on a healthy connection.
  int64_t ConnectionsOpened() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Performs one request and waits for its answer (HTTP/1.1 or HTTP/2 as the
// server offers). For rare requests such as the OAuth token exchange.
HttpResponse PerformBlocking(const HttpRequest& request, const Http2Options& options);

}  // namespace chat::push
