// The top-level members of one JSON object, read without building a tree.
// Access tokens carry their claims in such objects and the broker checks one
// on every connect (docs/PROTOCOL.md, section 3), so this reader keeps what a
// claim check needs (strings and integers) and only validates the rest.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

class JsonObject {
 public:
  // The object that `text` is, or nullopt unless `text` is exactly one JSON
  // object (RFC 8259; whitespace around it allowed, no byte order mark) whose
  // strings are valid UTF-8, whose top-level member names are unique (RFC
  // 7515 lets a JWT reader refuse duplicates) and at most kMaxMembers, whose
  // numbers are within a double's range and whose values nest at most
  // kMaxDepth deep.
  // kAnyRange accepts numbers beyond a double's range too (as RFC 8259's
  // grammar does), for a reader that wants the other members of an object
  // that a range-checking parser refused.
  enum class Numbers { kFinite, kAnyRange };
  static std::optional<JsonObject> Parse(std::string_view text, Numbers numbers = Numbers::kFinite);

  static constexpr int kMaxDepth = 32;
  static constexpr std::size_t kMaxMembers = 64;

  // The decoded string value of member `name`; nullptr when it is absent or
  // not a string.
  const std::string* String(std::string_view name) const;
  // The value of member `name` when it is an integer (no fraction, no
  // exponent) that fits int64_t; nullopt otherwise.
  std::optional<int64_t> Integer(std::string_view name) const;

  std::size_t size() const { return members_.size(); }

 private:
  friend class JsonObjectReader;
  enum class Kind { kString, kInteger, kOther };
  struct Member {
    std::string name;
    Kind kind = Kind::kOther;
    std::string text;     // a string's decoded value
    int64_t integer = 0;  // an integer's value
  };
  const Member* Find(std::string_view name) const;

  std::vector<Member> members_;
};

}  // namespace chat
