// The fan-out control format, version 2 (docs/PROTOCOL.md, "Fan-out"): what
// chatd publishes on $CONTROL/chat/v2/fanout and the broker plugin reads.
// Length-prefixed, so event payloads travel verbatim: nothing is escaped by
// chatd or unescaped by the broker. One item is
//
//   <topic count> <payload bytes>\n   (decimal, no leading zeros)
//   <topic>\n            (once per topic)
//   <payload>\n          (exactly <payload bytes> bytes, then a newline)
//
// and a control payload is any number of items back to back.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

// Most topics the parser accepts in one item (chatd's FanoutBatch lists at
// most 1000 per control payload).
inline constexpr std::size_t kMaxFanoutTopicsPerItem = 100000;

// Appends one item to `out`. Topics must not contain a newline (fan-out
// targets are made of ids, which cannot).
void AppendFanoutItem(std::string& out, std::span<const std::string> topics,
                      std::string_view payload);

// One copy to publish: a topic and the payload of its item, as views into the
// parsed control payload.
struct FanoutCopy {
  std::string_view topic;
  std::string_view payload;
  std::size_t item = 0;  // index of the item it came from, for error messages
};

struct FanoutFrames {
  bool ok = false;
  std::string error;  // e.g. "item 2: payload runs past the end"
  std::vector<FanoutCopy> copies;
};

// Splits a whole control payload into copies. Never throws; a malformed
// payload yields ok == false and no copies.
FanoutFrames ParseFanoutFrames(std::string_view payload);

}  // namespace chat
