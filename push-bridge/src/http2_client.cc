// Http2Client on a libcurl multi handle; PerformBlocking on an easy handle.
#include "http2_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <deque>
#include <mutex>
#include <new>
#include <stdexcept>
#include <unordered_map>

namespace chat::push {

namespace {

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;

struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
using MultiPtr = std::unique_ptr<CURLM, MultiDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

using SteadyClock = std::chrono::steady_clock;

void InitCurlOnce() {
  // curl_global_init is not thread-safe in 7.88: once, before any handle.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One request and what has arrived of its answer; owned while in flight.
struct Transfer {
  EasyPtr easy;
  SlistPtr headers;
  HttpRequest request;  // holds the body libcurl reads from
  HttpResponse response;
  ResponseCallback done;
  SteadyClock::time_point started;
  char error[CURL_ERROR_SIZE] = {};
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  static_cast<Transfer*>(user)->response.body.append(data, size * count);
  return size * count;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto& response = static_cast<Transfer*>(user)->response;
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    response.headers.clear();  // a new status line (after 100 Continue, a redirect)
    return size * count;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  response.headers.emplace_back(std::move(name), std::string(value));
  return size * count;
}

std::unique_ptr<Transfer> MakeTransfer(HttpRequest request, const Http2Options& options) {
  InitCurlOnce();
  auto transfer = std::make_unique<Transfer>();
  transfer->easy.reset(curl_easy_init());
  if (!transfer->easy) throw std::bad_alloc();
  transfer->request = std::move(request);
  for (const auto& header : transfer->request.headers) {
    curl_slist* appended = curl_slist_append(transfer->headers.get(), header.c_str());
    if (!appended) throw std::bad_alloc();
    transfer->headers.release();  // now owned through `appended`
    transfer->headers.reset(appended);
  }
  CURL* easy = transfer->easy.get();
  const HttpRequest& r = transfer->request;
  curl_easy_setopt(easy, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  if (r.method != "GET") {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->headers.get());
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options.request_timeout_ms));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout_ms));
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, static_cast<long>(options.keepalive_interval_s));
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPINTVL, static_cast<long>(options.keepalive_interval_s));
  if (!options.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer.get());
  transfer->started = SteadyClock::now();
  return transfer;
}

// Fills in status, error and latency once libcurl is done with `transfer`.
void Finish(Transfer& transfer, CURLcode result) {
  HttpResponse& response = transfer.response;
  response.latency_ms =
      std::chrono::duration<double, std::milli>(SteadyClock::now() - transfer.started).count();
  if (result != CURLE_OK) {
    response.status = 0;
    response.error = transfer.error[0] != '\0' ? transfer.error : curl_easy_strerror(result);
    return;
  }
  long status = 0;
  curl_easy_getinfo(transfer.easy.get(), CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
}

}  // namespace

std::string_view HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

struct Http2Client::Impl {
  Http2Options options;
  MultiPtr multi;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> in_flight;
  // Held back until the connection has answered once: a server may offer
  // one stream until then (APNs does, until a valid provider token), and
  // libcurl would open a connection for each request that finds no room.
  std::deque<std::unique_ptr<Transfer>> waiting;
  bool answered = false;  // the current connection answered a request
  int64_t connections_opened = 0;

  void Start(std::unique_ptr<Transfer> transfer) {
    CURL* easy = transfer->easy.get();
    CURLMcode added = curl_multi_add_handle(multi.get(), easy);
    if (added != CURLM_OK) {
      // Only on memory exhaustion or misuse (a call from inside libcurl).
      throw std::runtime_error(std::string("curl_multi_add_handle: ") + curl_multi_strerror(added));
    }
    in_flight.emplace(easy, std::move(transfer));
  }

  // Starts what waits: everything once the connection answered, else one
  // request to open it when nothing is in flight.
  void StartWaiting() {
    while (!waiting.empty() && (answered || in_flight.empty())) {
      std::unique_ptr<Transfer> next = std::move(waiting.front());
      waiting.pop_front();
      Start(std::move(next));
    }
  }

  ~Impl() {
    for (auto& [easy, transfer] : in_flight) curl_multi_remove_handle(multi.get(), easy);
  }

  // Hands every finished transfer to its callback; returns how many.
  int DeliverFinished() {
    int delivered = 0;
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi.get(), &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL* easy = message->easy_handle;
      CURLcode result = message->data.result;
      auto found = in_flight.find(easy);
      if (found == in_flight.end()) continue;
      std::unique_ptr<Transfer> transfer = std::move(found->second);
      in_flight.erase(found);
      curl_multi_remove_handle(multi.get(), easy);
      long connects = 0;
      curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
      connections_opened += connects;
      Finish(*transfer, result);
      answered = transfer->response.status > 0;  // a failed transfer may mean a new connection
      ++delivered;
      transfer->done(transfer->response);  // may Submit again: the map is consistent
    }
    return delivered;
  }
};

Http2Client::Http2Client(Http2Options options) : impl_(std::make_unique<Impl>()) {
  InitCurlOnce();
  impl_->options = std::move(options);
  impl_->multi.reset(curl_multi_init());
  if (!impl_->multi) throw std::bad_alloc();
  CURLM* multi = impl_->multi.get();
  curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
  curl_multi_setopt(multi, CURLMOPT_MAX_CONCURRENT_STREAMS,
                    static_cast<long>(std::max(1, impl_->options.max_concurrent_streams)));
}

Http2Client::~Http2Client() = default;

void Http2Client::Submit(HttpRequest request, ResponseCallback done) {
  std::unique_ptr<Transfer> transfer = MakeTransfer(std::move(request), impl_->options);
  transfer->done = std::move(done);
  impl_->waiting.push_back(std::move(transfer));
  impl_->StartWaiting();
}

int Http2Client::Poll(int timeout_ms) {
  impl_->StartWaiting();
  if (impl_->in_flight.empty()) return 0;
  CURLM* multi = impl_->multi.get();
  int running = 0;
  curl_multi_perform(multi, &running);
  if (impl_->DeliverFinished() == 0 && !impl_->in_flight.empty()) {
    curl_multi_poll(multi, nullptr, 0, std::max(0, timeout_ms), nullptr);
    curl_multi_perform(multi, &running);
    impl_->DeliverFinished();
  }
  impl_->StartWaiting();
  return InFlight();
}

int Http2Client::InFlight() const {
  return static_cast<int>(impl_->in_flight.size() + impl_->waiting.size());
}

int64_t Http2Client::ConnectionsOpened() const { return impl_->connections_opened; }

HttpResponse PerformBlocking(const HttpRequest& request, const Http2Options& options) {
  std::unique_ptr<Transfer> transfer = MakeTransfer(request, options);
  CURLcode result = curl_easy_perform(transfer->easy.get());
  Finish(*transfer, result);
  return std::move(transfer->response);
}

}  // namespace chat::push
