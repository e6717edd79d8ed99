// Test helper: the (topic, event) pairs that fan-out control payloads carry,
// decoded with the same parser the broker plugin uses; an event in its
// compact form (chat/compact_form.h) as the object it stands for, as a
// device reads it.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "chat/compact_form.h"
#include "chat/fanout_frames.h"

namespace chat {

using FanoutEvents = std::vector<std::pair<std::string, nlohmann::json>>;

inline FanoutEvents DecodeFanout(const std::vector<std::string>& payloads) {
  FanoutEvents events;
  for (const auto& payload : payloads) {
    FanoutFrames frames = ParseFanoutFrames(payload);
    EXPECT_TRUE(frames.ok) << frames.error;
    for (const FanoutCopy& copy : frames.copies) {
      nlohmann::json event = nlohmann::json::parse(copy.payload);
      if (event.is_array()) {
        std::string error;
        event = compact::Expand(event, error).value_or(nlohmann::json());
        EXPECT_EQ(error, "") << copy.payload;
      }
      events.emplace_back(std::string(copy.topic), std::move(event));
    }
  }
  return events;
}

}  // namespace chat
