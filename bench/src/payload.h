// The benchmark's message bodies: a marker with the scheduled send time and
// a sequence number, padded to a fixed size, so a recipient can measure
// send-to-deliver latency without any shared state but the clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bench {

struct BodyMarker {
  int64_t sent_ns = 0;  // MonotonicNs() of the scheduled send
  uint64_t seq = 0;     // per-run sequence number
};

// "T<sent_ns>:<seq>:" followed by 'x' up to `size` bytes (longer if the marker
// alone exceeds it). Plain ASCII: safe inside a JSON string.
std::string MakeBody(const BodyMarker& marker, std::size_t size);

// A process-wide increasing sequence number for markers, so that runs on the
// same path never reuse one. Thread-safe.
uint64_t NextSequence();

// Finds the first marker in `text` (a raw payload, or a chat event whose
// "body" holds one).
std::optional<BodyMarker> FindMarker(std::string_view text);

}  // namespace bench
