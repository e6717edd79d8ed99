// A strict single-pass JSON reader for one object's top-level members.
#include "chat/json_object.h"

#include <locale.h>
#include <stdlib.h>

#include <charconv>
#include <cmath>

#include "chat/ids.h"

namespace chat {

// Recursive descent over the text with one cursor. Every method returns false
// on the first byte that breaks the grammar; nothing is half-kept then.
class JsonObjectReader {
 public:
  JsonObjectReader(std::string_view text, JsonObject::Numbers numbers)
      : text_(text), numbers_(numbers) {}

  bool ReadTopLevel(JsonObject& object) {
    SkipSpace();
    if (!ReadObject(1, &object)) return false;
    SkipSpace();
    return pos_ == text_.size();
  }

 private:
  using Member = JsonObject::Member;
  using Kind = JsonObject::Kind;

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }

  void SkipSpace() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' || Peek() == '\r')) {
      ++pos_;
    }
  }

  bool Consume(char c) {
    if (AtEnd() || Peek() != c) return false;
    ++pos_;
    return true;
  }

  // An object; its members go to `into` when given (the top level only).
  bool ReadObject(int depth, JsonObject* into) {
    if (depth > JsonObject::kMaxDepth || !Consume('{')) return false;
    SkipSpace();
    if (Consume('}')) return true;
    while (true) {
      Member member;
      if (!ReadString(member.name)) return false;
      SkipSpace();
      if (!Consume(':')) return false;
      SkipSpace();
      if (!ReadValue(depth, member)) return false;
      if (into) {
        if (into->members_.size() == JsonObject::kMaxMembers || into->Find(member.name)) {
          return false;
        }
        into->members_.push_back(std::move(member));
      }
      SkipSpace();
      if (Consume('}')) return true;
      if (!Consume(',')) return false;
      SkipSpace();
    }
  }

  bool ReadArray(int depth) {
    if (depth > JsonObject::kMaxDepth || !Consume('[')) return false;
    SkipSpace();
    if (Consume(']')) return true;
    while (true) {
      Member ignored;
      if (!ReadValue(depth, ignored)) return false;
      SkipSpace();
      if (Consume(']')) return true;
      if (!Consume(',')) return false;
      SkipSpace();
    }
  }

  // A value at `depth` (the depth of its container); strings and integers
  // are kept in `member`.
  bool ReadValue(int depth, Member& member) {
    if (AtEnd()) return false;
    switch (Peek()) {
      case '"': member.kind = Kind::kString; return ReadString(member.text);
      case '{': return ReadObject(depth + 1, nullptr);
      case '[': return ReadArray(depth + 1);
      case 't': return ReadLiteral("true");
      case 'f': return ReadLiteral("false");
      case 'n': return ReadLiteral("null");
      default: return ReadNumber(member);
    }
  }

  bool ReadLiteral(std::string_view literal) {
    if (text_.substr(pos_, literal.size()) != literal) return false;
    pos_ += literal.size();
    return true;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool ReadNumber(Member& member) {
    const std::size_t start = pos_;
    Consume('-');
    if (Consume('0')) {
      // no further digit: JSON has no leading zeros
    } else if (!SkipDigits()) {
      return false;
    }
    bool integral = true;
    if (Consume('.')) {
      integral = false;
      if (!SkipDigits()) return false;
    }
    if (Consume('e') || Consume('E')) {
      integral = false;
      if (!Consume('+')) Consume('-');
      if (!SkipDigits()) return false;
    }
    const std::string_view number = text_.substr(start, pos_ - start);
    if (integral) {
      int64_t value = 0;
      auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
      if (error == std::errc()) {
        member.kind = Kind::kInteger;
        member.integer = value;
        return true;
      }  // else too large for int64_t: a number, but not an integer claim
    }
    return numbers_ == JsonObject::Numbers::kAnyRange || IsFinite(number);
  }

  // RFC 8259 lets a reader limit the range of numbers: one beyond a double's
  // is refused, as nlohmann::json refuses it. Read in the "C" locale, whatever
  // the process's LC_NUMERIC says.
  static bool IsFinite(std::string_view number) {
    static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", nullptr);
    return std::isfinite(strtod_l(std::string(number).c_str(), nullptr, c_locale));
  }

  bool SkipDigits() {
    const std::size_t start = pos_;
    while (!AtEnd() && Peek() >= '0' && Peek() <= '9') ++pos_;
    return pos_ > start;
  }

  // A string, decoded into `out`.
  bool ReadString(std::string& out) {
    if (!Consume('"')) return false;
    while (true) {
      // Copy the run of plain characters at once.
      std::size_t run = pos_;
      while (run < text_.size() && text_[run] != '"' && text_[run] != '\\' &&
             static_cast<unsigned char>(text_[run]) >= 0x20) {
        ++run;
      }
      out.append(text_.substr(pos_, run - pos_));
      pos_ = run;
      if (AtEnd()) return false;
      const char c = Peek();
      ++pos_;
      if (c == '"') return IsValidUtf8(out);
      if (c != '\\') return false;  // a control character
      if (!ReadEscape(out)) return false;
    }
  }

  // The escape after a backslash.
  bool ReadEscape(std::string& out) {
    if (AtEnd()) return false;
    const char c = Peek();
    ++pos_;
    switch (c) {
      case '"': out.push_back('"'); return true;
      case '\\': out.push_back('\\'); return true;
      case '/': out.push_back('/'); return true;
      case 'b': out.push_back('\b'); return true;
      case 'f': out.push_back('\f'); return true;
      case 'n': out.push_back('\n'); return true;
      case 'r': out.push_back('\r'); return true;
      case 't': out.push_back('\t'); return true;
      case 'u': break;
      default: return false;
    }
    uint32_t code = 0;
    if (!ReadHex4(code)) return false;
    if (code >= 0xDC00 && code <= 0xDFFF) return false;  // a low surrogate first
    if (code >= 0xD800 && code <= 0xDBFF) {
      uint32_t low = 0;
      if (!Consume('\\') || !Consume('u') || !ReadHex4(low) || low < 0xDC00 || low > 0xDFFF) {
        return false;
      }
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(code, out);
    return true;
  }

  bool ReadHex4(uint32_t& code) {
    if (text_.size() - pos_ < 4) return false;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      uint32_t digit;
      if (c >= '0' && c <= '9') {
        digit = static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        digit = static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
      code = (code << 4) | digit;
    }
    return true;
  }

  static void AppendUtf8(uint32_t code, std::string& out) {
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (code >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  std::string_view text_;
  const JsonObject::Numbers numbers_;
  std::size_t pos_ = 0;
};

std::optional<JsonObject> JsonObject::Parse(std::string_view text, Numbers numbers) {
  JsonObject object;
  if (!JsonObjectReader(text, numbers).ReadTopLevel(object)) return std::nullopt;
  return object;
}

const JsonObject::Member* JsonObject::Find(std::string_view name) const {
  for (const Member& member : members_) {
    if (member.name == name) return &member;
  }
  return nullptr;
}

const std::string* JsonObject::String(std::string_view name) const {
  const Member* member = Find(name);
  return member && member->kind == Kind::kString ? &member->text : nullptr;
}

std::optional<int64_t> JsonObject::Integer(std::string_view name) const {
  const Member* member = Find(name);
  if (!member || member->kind != Kind::kInteger) return std::nullopt;
  return member->integer;
}

}  // namespace chat
