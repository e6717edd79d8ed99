// Fields of the events chat-bench's raw MQTT devices receive, read without a
// JSON tree (the generator reads tens of thousands a second), in either form
// an event travels in: an object, or a compact array (docs/PROTOCOL.md
// section 6, "Compact forms"; the field order is chat/compact_form.h's).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace bench {

// Whether `event` is of `type`: {"type":"msg",...} or ["msg",...].
bool IsType(std::string_view event, std::string_view type);
// The value of a top-level string field ("" if absent); "type" included.
std::string JsonStringField(std::string_view event, std::string_view key);
// The value of a top-level integer field (0 if absent).
int64_t JsonIntField(std::string_view event, std::string_view key);

}  // namespace bench
