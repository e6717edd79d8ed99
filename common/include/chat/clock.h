// Wall-clock time in the units the protocol uses.
#pragma once

#include <cstdint>

namespace chat {

// Milliseconds since the Unix epoch (the protocol's `ts`).
int64_t NowMillis();
// Seconds since the Unix epoch (token `iat`/`exp`).
int64_t NowSeconds();

}  // namespace chat
