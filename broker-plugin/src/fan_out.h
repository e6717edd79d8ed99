// Fan-out of committed batches (docs/PROTOCOL.md, "Fan-out"): chatd publishes
// one control message, the plugin makes one QoS 1 copy per recipient topic.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "identity.h"

namespace chat::plugin {

// Queues one copy of `payload` on `topic` (QoS 1, not retained). Returns
// false when the broker refused it.
using CopyPublisher = std::function<bool(const std::string& topic, std::string_view payload)>;

struct FanOutResult {
  bool ok = false;
  std::string error;       // why the batch was rejected, or which copies failed
  std::size_t copies = 0;  // copies handed to the publisher successfully
};

// Validates a whole `$CONTROL/chat/v1/fanout` payload before publishing any of
// it: {"out":[{"topics":["chat/inbox/{u}[/{c}]" | "chat/dev/{u}/{d}", ...],
// "payload":"..."}, ...]}, from a service identity only. A rejected batch
// publishes nothing. Called on the broker's thread; publishing goes through
// the injected CopyPublisher so tests need no broker.
class FanOut {
 public:
  explicit FanOut(CopyPublisher publish);

  FanOutResult Handle(const Identity& publisher, std::string_view control_payload) const;

 private:
  CopyPublisher publish_;
};

// True for chat/inbox/{u}, chat/inbox/{u}/{c} and chat/dev/{u}/{d} with valid
// ids: the only topics a fan-out may target.
bool IsFanOutTarget(std::string_view topic);

}  // namespace chat::plugin
