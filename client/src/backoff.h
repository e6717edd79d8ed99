// This is an internal header of the client library, not for apps.
// Delays between retries: exponential backoff with full jitter.
#pragma once

#include <chrono>
#include <functional>

#include "chat/client/chat_client.h"  // BackoffPolicy

namespace chat::client {

// After the n-th consecutive failure (n = 0, 1, ...) the next attempt waits a
// uniformly random time in [0, min(max, initial * 2^n)] ("full jitter"), so
// that the many clients a broker restart cuts off together do not all come
// back in the same instant. Reset() after a success starts again at n = 0.
//
// Pure: randomness comes from `uniform`, a function returning values in
// [0, 1) (default: a seeded std::mt19937_64). Not thread-safe: owned by one
// thread (the client's worker).
class Backoff {
 public:
  using Uniform = std::function<double()>;

  explicit Backoff(BackoffPolicy policy = {}, Uniform uniform = {});

  // The delay before the next attempt; counts one more failure.
  std::chrono::milliseconds Next();
  // The upper bound of the delay Next() will return.
  std::chrono::milliseconds Ceiling() const;
  void Reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  BackoffPolicy policy_;
  Uniform uniform_;
  int failures_ = 0;
};

}  // namespace chat::client
