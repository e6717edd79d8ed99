// The protocol's vocabulary and limits (docs/PROTOCOL.md), in one place for
// chatd, the broker plugin, the client library, the benchmark and the tests.
// Topics live beside it in chat/topics.h, the fan-out format in
// chat/fanout_frames.h.
#pragma once

#include <cstddef>
#include <cstdint>

namespace chat::protocol {

// --- Limits (PROTOCOL.md section 9) -----------------------------------------

// The broker's `max_packet_size`, in every configuration the project ships:
// the most any client, device or service, may make the broker buffer for one
// packet. A device that declares more is disconnected by the broker before
// it reads a byte of it.
inline constexpr std::size_t kMaxPacketBytes = 1 << 20;
// What chatd puts in one publish (a fan-out control payload): the packet
// limit less room for the topic and the MQTT header.
inline constexpr std::size_t kMaxServicePayloadBytes = kMaxPacketBytes - 4096;
// The largest command a device may publish (the plugin's
// plugin_opt_max_payload_bytes by default); larger ones get
// `payload_too_large` and are dropped by the broker.
inline constexpr std::size_t kDefaultMaxCommandBytes = 65536;

}  // namespace chat::protocol
