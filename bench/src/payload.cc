// Body marker encoding.
#include "payload.h"

#include <atomic>
#include <charconv>

namespace bench {

uint64_t NextSequence() {
  static std::atomic<uint64_t> next{0};  // the isolation scenario sends from two threads
  return ++next;
}

std::string MakeBody(const BodyMarker& marker, std::size_t size) {
  std::string body;
  body.reserve(size);
  body.push_back('T');
  body.append(std::to_string(marker.sent_ns)).push_back(':');
  body.append(std::to_string(marker.seq)).push_back(':');
  if (body.size() < size) body.append(size - body.size(), 'x');
  return body;
}

std::optional<BodyMarker> FindMarker(std::string_view text) {
  // In a chat event the body follows "body":" , in the compact form of a
  // `msg` it is the value that starts with "T (ids are lowercase: no other
  // value does); in a raw payload it starts it.
  std::size_t pos = 0;
  if (!text.empty() && text[0] == '[') {
    pos = text.find(",\"T");
    if (pos == std::string_view::npos) return std::nullopt;
    pos += 2;
  } else if (text.empty() || text[0] != 'T') {
    pos = text.find("\"body\":\"T");
    if (pos == std::string_view::npos) return std::nullopt;
    pos += 8;
  }
  const char* p = text.data() + pos + 1;
  const char* end = text.data() + text.size();
  BodyMarker marker;
  auto [after_ns, ec1] = std::from_chars(p, end, marker.sent_ns);
  if (ec1 != std::errc() || after_ns == end || *after_ns != ':') return std::nullopt;
  auto [after_seq, ec2] = std::from_chars(after_ns + 1, end, marker.seq);
  if (ec2 != std::errc() || after_seq == end || *after_seq != ':') return std::nullopt;
  return marker;
}

}  // namespace bench
