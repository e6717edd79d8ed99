// The wire scenario: bytes on the device legs (device <-> broker, every MQTT
// packet, both directions) per delivered message, counted by a relay between
// the devices and the broker (wire_relay.h), for chat through the real client
// library and for raw MQTT QoS 1 in the same run.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "chat_deployment.h"
#include "wire_relay.h"

namespace bench {

struct WireOptions {
  int raw_port = 0;   // plain mosquitto
  int chat_port = 0;  // mosquitto with the plugin, chatd running
  std::size_t body_bytes = 200;
  int raw_messages = 2000;
  int pace_messages = 120;  // 1:1 and group at chat pace
  double pace_per_s = 4;
  int fast_messages = 2000;
  int group_size = 10;
  int group_messages = 60;
  int catch_up_messages = 10000;
};

// One scenario's figure: the device legs over its counted interval (after
// connecting and settling, until every copy arrived, its receipts came back
// and the legs were quiet).
struct WireFigure {
  std::string name;
  std::string detail;                                      // what was sent, on which topic
  uint64_t expected = 0;                                   // copies the recipients' apps should get
  uint64_t delivered = 0;                                  // distinct copies they got
  uint64_t missing = 0, duplicates = 0, out_of_order = 0;  // as the apps saw them
  LegTally counted;                                        // the counted device legs
  LegTally setup;  // the same legs before the counted interval (not in the figure)
  std::string
      app_events;      // events the apps took, by type: "msg 120 x 251 B, ..." (topic + payload)
  double seconds = 0;  // the counted interval
  double receipt_ms = -1;  // last send -> its `delivered` receipt at the sender
  double catch_up_s = -1;  // reconnect -> the app has every message
  std::string error;

  double PerMessage(uint64_t value) const {
    return delivered ? static_cast<double>(value) / static_cast<double>(delivered) : 0;
  }
};

// The names of the figures the wire issue sets targets for.
inline constexpr std::string_view kWirePaceFigure = "1:1 chat pace";
inline constexpr std::string_view kWireCatchUpFigure = "catch-up";

struct WireResult {
  std::string raw_topic;
  std::vector<WireFigure> figures;  // raw, 1:1 chat pace, 1:1 fast, group, catch-up
};

// Runs the five measurements one after another, each with its own relay and
// users, each within its own deadline; prints a line per figure to stderr.
WireResult RunWire(ChatDeployment& deployment, const WireOptions& options);

// One human-readable line of a figure (also used by the report).
std::string DescribeWireFigure(const WireFigure& figure);

}  // namespace bench
