// Encoding and parsing of the fan-out control format, version 2.
#include "chat/fanout_frames.h"

#include <charconv>

namespace chat {

namespace {

// Reads a decimal number of at most 9 digits, without leading zeros, ending
// at `stop`, and moves `rest` past the terminator. False when anything else
// is there: each payload has exactly one encoding.
bool ReadNumber(std::string_view& rest, char stop, std::size_t& value) {
  std::size_t end = rest.find(stop);
  if (end == std::string_view::npos || end == 0 || end > 9) return false;
  if (end > 1 && rest[0] == '0') return false;
  for (std::size_t i = 0; i < end; ++i) {
    if (rest[i] < '0' || rest[i] > '9') return false;
  }
  std::from_chars(rest.data(), rest.data() + end, value);
  rest.remove_prefix(end + 1);
  return true;
}

FanoutFrames Failure(std::size_t item, std::string_view what) {
  FanoutFrames frames;
  frames.error = "item " + std::to_string(item) + ": " + std::string(what);
  return frames;
}

}  // namespace

void AppendFanoutItem(std::string& out, std::span<const std::string> topics,
                      std::string_view payload) {
  std::size_t size = 24 + payload.size();
  for (const std::string& topic : topics) size += topic.size() + 1;
  out.reserve(out.size() + size);
  out.append(std::to_string(topics.size())).push_back(' ');
  out.append(std::to_string(payload.size())).push_back('\n');
  for (const std::string& topic : topics) out.append(topic).push_back('\n');
  out.append(payload).push_back('\n');
}

FanoutFrames ParseFanoutFrames(std::string_view payload) {
  FanoutFrames frames;
  std::string_view rest = payload;
  for (std::size_t item = 0; !rest.empty(); ++item) {
    std::size_t topics = 0;
    std::size_t bytes = 0;
    if (!ReadNumber(rest, ' ', topics) || !ReadNumber(rest, '\n', bytes)) {
      return Failure(item, "does not start with \"<topic count> <payload bytes>\\n\"");
    }
    if (topics == 0 || topics > kMaxFanoutTopicsPerItem) {
      return Failure(item, "topic count " + std::to_string(topics) + " is not in 1.." +
                               std::to_string(kMaxFanoutTopicsPerItem));
    }
    std::size_t first = frames.copies.size();
    for (std::size_t t = 0; t < topics; ++t) {
      std::size_t end = rest.find('\n');
      if (end == std::string_view::npos) return Failure(item, "topic list runs past the end");
      frames.copies.push_back({rest.substr(0, end), {}, item});
      rest.remove_prefix(end + 1);
    }
    if (rest.size() < bytes + 1 || rest[bytes] != '\n') {
      return Failure(item, "payload of " + std::to_string(bytes) +
                               " bytes does not end with a newline where it should");
    }
    std::string_view body = rest.substr(0, bytes);
    for (std::size_t c = first; c < frames.copies.size(); ++c) frames.copies[c].payload = body;
    rest.remove_prefix(bytes + 1);
  }
  frames.ok = true;
  return frames;
}

}  // namespace chat
