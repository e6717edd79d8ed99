// Results a provider knows before any request is sent (no credential, a
// malformed token), held so that their callbacks too run inside Poll, never
// inside Submit.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "notification.h"

namespace chat::push {

class DeferredResults {
 public:
  void Add(SendCallback done, SendResult result) {
    pending_.emplace_back(std::move(done), std::move(result));
  }
  // Runs the callbacks held so far (they may Add more, kept for the next
  // call); returns how many ran.
  int Deliver() {
    std::vector<std::pair<SendCallback, SendResult>> ready;
    ready.swap(pending_);
    for (auto& [done, result] : ready) done(result);
    return static_cast<int>(ready.size());
  }
  int size() const { return static_cast<int>(pending_.size()); }

 private:
  std::vector<std::pair<SendCallback, SendResult>> pending_;
};

// A result for a push refused before it reached the provider.
inline SendResult Refusal(Verdict verdict, std::string reason) {
  SendResult result;
  result.verdict = verdict;
  result.reason = std::move(reason);
  return result;
}

}  // namespace chat::push
