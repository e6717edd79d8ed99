// Fan-out of committed batches (docs/PROTOCOL.md, "Fan-out"): chatd publishes
// one control message, the plugin makes one QoS 1 copy per recipient topic.
// The format is chat/fanout_frames.h (length-prefixed).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/fanout_frames.h"
#include "chat/status.h"
#include "identity.h"

namespace chat::plugin {

// Queues one copy of `payload` on `topic` (QoS 1, not retained). Returns
// false when the broker refused it.
using CopyPublisher = std::function<bool(std::string_view topic, std::string_view payload)>;

struct FanOutResult {
  Status status;           // why the batch was rejected, or how many copies failed
  std::size_t copies = 0;  // copies handed to the publisher successfully
};

// Validates a whole control payload before publishing any of it, from a
// service identity only; every target must be chat/inbox/{u}[/{c}] or
// chat/dev/{u}/{d}. A rejected batch publishes nothing. Called on the
// broker's thread; publishing goes through the injected CopyPublisher so
// tests need no broker.
class FanOut {
 public:
  explicit FanOut(CopyPublisher publish);

  // `$CONTROL/chat/v2/fanout`: items as chat/fanout_frames.h encodes them.
  FanOutResult Handle(const Identity& publisher, std::string_view control_payload) const;

 private:
  // Checks every target, then publishes every copy.
  FanOutResult Publish(const std::vector<FanoutCopy>& copies) const;

  CopyPublisher publish_;
};

// True for chat/inbox/{u}, chat/inbox/{u}/{c} and chat/dev/{u}/{d} with valid
// ids: the only topics a fan-out may target.
bool IsFanOutTarget(std::string_view topic);

}  // namespace chat::plugin
