// Raw-MQTT test devices.
#include "harness/test_device.h"

#include <gtest/gtest.h>

#include "chat/compact_form.h"
#include "chat/topics.h"

namespace chat::testing {

using json = nlohmann::json;

namespace {

// An event as a mosquitto_sub user reads it: a compact form (chat/compact_form.h)
// as the object it stands for; anything else that is no JSON object as null.
json ParseEventObject(const std::string& payload) {
  json event = json::parse(payload, nullptr, false);
  std::string error;
  if (event.is_array()) event = compact::Expand(event, error).value_or(json());
  return event.is_object() ? event : json();
}

}  // namespace

TestDevice::TestDevice(TestStack& stack, const std::string& user, const std::string& device)
    : user(user), device(device), probe_(stack.port(), user + ":" + device) {
  EXPECT_EQ(probe_.Connect(user, stack.Provision(user, device), /*clean_session=*/false), 0);
  EXPECT_TRUE(probe_.Subscribe("chat/inbox/" + user + "/#"));
  EXPECT_TRUE(probe_.Subscribe("chat/dev/" + user + "/" + device));
}

void TestDevice::Send(const json& command) { SendRaw(command.dump()); }

void TestDevice::SendRaw(const std::string& payload) {
  probe_.Publish("chat/up/" + user + "/" + device, payload);
}

void TestDevice::SendAll(const std::vector<json>& commands) {
  std::vector<std::string> payloads;
  for (const json& command : commands) payloads.push_back(command.dump());
  probe_.PublishAll("chat/up/" + user + "/" + device, payloads);
}

std::vector<json> TestDevice::Await(const std::string& type, std::size_t count,
                                    std::chrono::milliseconds timeout) {
  auto matching = [&](const std::vector<Received>& all) {
    std::vector<json> out;
    for (const auto& r : all) {
      json event = ParseEventObject(r.payload);
      if (!event.is_object() || event.value("type", "") != type) continue;
      std::string_view conv = ConversationOfTopic(r.topic);
      if (!conv.empty() && !event.contains("conv")) event["conv"] = conv;
      out.push_back(event);
    }
    return out;
  };
  auto all =
      probe_.WaitFor([&](const auto& got) { return matching(got).size() >= count; }, timeout);
  return matching(all);
}

json TestDevice::Request(json command, const std::string& req_id,
                         std::chrono::milliseconds timeout) {
  command["req_id"] = req_id;
  Send(command);
  auto find = [&](const std::vector<Received>& all) -> json {
    for (const auto& r : all) {
      json event = ParseEventObject(r.payload);
      if (event.is_object() && event.value("req_id", "") == req_id) return event;
    }
    return nullptr;
  };
  return find(probe_.WaitFor([&](const auto& got) { return !find(got).is_null(); }, timeout));
}

json SendTo(const std::string& to, const std::string& cmid, const std::string& body) {
  return json{
      {"type", "send"}, {"req_id", "r-" + cmid}, {"to", to}, {"cmid", cmid}, {"body", body}};
}

json SendIn(const std::string& conv, const std::string& cmid, const std::string& body) {
  return json{
      {"type", "send"}, {"req_id", "r-" + cmid}, {"conv", conv}, {"cmid", cmid}, {"body", body}};
}

}  // namespace chat::testing
