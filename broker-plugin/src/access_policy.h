// Topic access rules (docs/PROTOCOL.md, section 4): which identity may
// publish, subscribe to and receive which topics. Pure; no broker calls.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "identity.h"

namespace chat::plugin {

// The broker's access kinds (MOSQ_ACL_*), mapped by the glue.
enum class Access { kRead, kWrite, kSubscribe, kUnsubscribe };

enum class AclDecision {
  kAllow,
  kDeny,
  // A device's publish to its own up topic that is larger than the limit: the
  // publish is refused and the device is told so (OversizeError) on its
  // chat/dev/{u}/{d} topic.
  kDenyOversize,
};

// Decides every ACL check from the identity and the topic alone, so it needs
// no per-client state and no I/O. Devices may publish only to their own
// chat/up/{u}/{d} (never retained, at most max_payload_bytes), subscribe only
// to chat/inbox/{u}, chat/inbox/{u}/#, chat/inbox/{u}/+, chat/inbox/{u}/{c}
// and chat/dev/{u}/{d}, and receive only their user's inbox and their own dev
// topic. Services may publish only to $CONTROL/chat/... (never retained) and
// subscribe to and receive chat/up/..., chat/sys/... and the broker's notice
// log ($SYS/broker/log/N). Unsubscribing is always allowed to a known
// identity. Anything else, $share/, the rest of $SYS and $CONTROL included,
// is denied. Immutable after construction; called on the
// broker's thread.
class AccessPolicy {
 public:
  explicit AccessPolicy(std::size_t max_payload_bytes);

  AclDecision Decide(const Identity& who, std::string_view topic, Access access,
                     std::size_t payload_bytes, bool retain) const;

  // The `error` event for a kDenyOversize decision (PROTOCOL.md, section 7).
  std::string OversizeError(std::size_t payload_bytes) const;

  std::size_t max_payload_bytes() const { return max_payload_bytes_; }

 private:
  AclDecision DecideForDevice(const Identity& who, std::string_view topic, Access access,
                              std::size_t payload_bytes, bool retain) const;

  std::size_t max_payload_bytes_;
};

}  // namespace chat::plugin
