// Parsing, validation and publishing of fan-out batches.
#include "fan_out.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "chat/ids.h"

namespace chat::plugin {

namespace {

struct Copy {
  const std::string* topic;
  const std::string* payload;
};

// Splits the remainder after a prefix into exactly `levels` valid ids.
bool AreIds(std::string_view rest, int levels) {
  for (int i = 0; i < levels; ++i) {
    auto slash = rest.find('/');
    bool last = i + 1 == levels;
    if (last != (slash == std::string_view::npos)) return false;
    if (!IsValidId(rest.substr(0, slash))) return false;
    if (!last) rest.remove_prefix(slash + 1);
  }
  return true;
}

// A JSON value for a log line, cut short so a hostile payload cannot flood it.
std::string Excerpt(const nlohmann::json& value) {
  std::string text = value.dump();
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

}  // namespace

bool IsFanOutTarget(std::string_view topic) {
  constexpr std::string_view kInbox = "chat/inbox/";
  constexpr std::string_view kDev = "chat/dev/";
  if (topic.starts_with(kInbox)) {
    std::string_view rest = topic.substr(kInbox.size());
    return AreIds(rest, 1) || AreIds(rest, 2);
  }
  if (topic.starts_with(kDev)) return AreIds(topic.substr(kDev.size()), 2);
  return false;
}

FanOut::FanOut(CopyPublisher publish) : publish_(std::move(publish)) {}

FanOutResult FanOut::Handle(const Identity& publisher, std::string_view control_payload) const {
  FanOutResult result;
  if (!publisher.is_service()) {
    result.error = "publisher is not a service identity";
    return result;
  }
  auto batch = nlohmann::json::parse(control_payload, nullptr, /*allow_exceptions=*/false);
  if (batch.is_discarded() || !batch.is_object()) {
    result.error = "payload is not a JSON object";
    return result;
  }
  auto out = batch.find("out");
  if (out == batch.end() || !out->is_array()) {
    result.error = "\"out\" is missing or not an array";
    return result;
  }
  std::vector<Copy> copies;
  for (std::size_t i = 0; i < out->size(); ++i) {
    const auto& item = (*out)[i];
    const std::string where = "out[" + std::to_string(i) + "]";
    if (!item.is_object()) {
      result.error = where + " is not an object";
      return result;
    }
    auto topics = item.find("topics");
    auto payload = item.find("payload");
    if (topics == item.end() || !topics->is_array()) {
      result.error = where + ".topics is missing or not an array";
      return result;
    }
    if (payload == item.end() || !payload->is_string()) {
      result.error = where + ".payload is missing or not a string";
      return result;
    }
    for (const auto& topic : *topics) {
      if (!topic.is_string() || !IsFanOutTarget(topic.get_ref<const std::string&>())) {
        result.error =
            where + " targets " + Excerpt(topic) + ", not chat/inbox/{u}[/{c}] or chat/dev/{u}/{d}";
        return result;
      }
      copies.push_back(
          {&topic.get_ref<const std::string&>(), &payload->get_ref<const std::string&>()});
    }
  }
  std::size_t failed = 0;
  for (const Copy& copy : copies) {
    if (publish_(*copy.topic, *copy.payload)) {
      ++result.copies;
    } else {
      ++failed;
    }
  }
  result.ok = failed == 0;
  if (failed > 0) result.error = std::to_string(failed) + " copies could not be queued";
  return result;
}

}  // namespace chat::plugin
