// Parsing, validation and publishing of fan-out batches.
#include "fan_out.h"

#include <vector>

#include "chat/ids.h"

namespace chat::plugin {

namespace {

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

// Text for a log line, cut short so a hostile payload cannot flood it.
std::string Excerpt(std::string_view text) {
  if (text.size() > 80) return std::string(text.substr(0, 77)) + "...";
  return std::string(text);
}

FanOutResult Rejected(std::string error) { return {Status::InvalidArgument(std::move(error)), 0}; }

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
  if (!publisher.is_service()) return Rejected("publisher is not a service identity");
  FanoutFrames frames = ParseFanoutFrames(control_payload);
  if (!frames.ok) return Rejected(std::move(frames.error));
  return Publish(frames.copies);
}

FanOutResult FanOut::Publish(const std::vector<FanoutCopy>& copies) const {
  for (const FanoutCopy& copy : copies) {
    if (!IsFanOutTarget(copy.topic)) {
      return Rejected("item " + std::to_string(copy.item) + " targets " + Excerpt(copy.topic) +
                      ", not chat/inbox/{u}[/{c}] or chat/dev/{u}/{d}");
    }
  }
  FanOutResult result;
  std::size_t failed = 0;
  for (const FanoutCopy& copy : copies) {
    if (publish_(copy.topic, copy.payload)) {
      ++result.copies;
    } else {
      ++failed;
    }
  }
  if (failed > 0) {
    result.status = Status::Failed(std::to_string(failed) + " copies could not be queued");
  }
  return result;
}

}  // namespace chat::plugin
