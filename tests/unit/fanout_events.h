// Test helper: the (topic, event) pairs that fan-out control payloads carry,
// decoded with the same parser the broker plugin uses.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "chat/fanout_frames.h"

namespace chat {

using FanoutEvents = std::vector<std::pair<std::string, nlohmann::json>>;

inline FanoutEvents DecodeFanout(const std::vector<std::string>& payloads) {
  FanoutEvents events;
  for (const auto& payload : payloads) {
    FanoutFrames frames = ParseFanoutFrames(payload);
    EXPECT_TRUE(frames.ok) << frames.error;
    for (const FanoutCopy& copy : frames.copies) {
      events.emplace_back(std::string(copy.topic), nlohmann::json::parse(copy.payload));
    }
  }
  return events;
}

}  // namespace chat
