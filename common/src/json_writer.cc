// JSON text without a tree: string escaping and the member-by-member writer.
#include "chat/json_writer.h"

#include <nlohmann/json.hpp>

#include "chat/ids.h"

namespace chat {

void AppendJsonString(std::string& out, std::string_view value) {
  if (!IsValidUtf8(value)) {
    out += nlohmann::json(std::string(value))
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + value.size() + 2);
  out.push_back('"');
  std::size_t plain = 0;  // start of the run of characters copied as they are
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(value.substr(plain, i - plain));
    plain = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(value.substr(plain));
  out.push_back('"');
}

void JsonObjectWriter::Name(std::string_view name) {
  if (out_.size() > 1) out_.push_back(',');
  AppendJsonString(out_, name);
  out_.push_back(':');
}

JsonObjectWriter& JsonObjectWriter::String(std::string_view name, std::string_view value) {
  Name(name);
  AppendJsonString(out_, value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Integer(std::string_view name, int64_t value) {
  Name(name);
  out_.append(std::to_string(value));
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Bool(std::string_view name, bool value) {
  Name(name);
  out_.append(value ? "true" : "false");
  return *this;
}

JsonObjectWriter& JsonObjectWriter::Raw(std::string_view name, std::string_view json) {
  Name(name);
  out_.append(json);
  return *this;
}

std::string JsonObjectWriter::Finish() {
  out_.push_back('}');
  std::string text = std::move(out_);
  out_.clear();  // a moved-from string is valid but unspecified
  out_.push_back('{');
  return text;
}

JsonArrayWriter& JsonArrayWriter::String(std::string_view value) {
  if (!empty()) out_.push_back(',');
  AppendJsonString(out_, value);
  return *this;
}

JsonArrayWriter& JsonArrayWriter::Integer(int64_t value) {
  if (!empty()) out_.push_back(',');
  out_.append(std::to_string(value));
  return *this;
}

JsonArrayWriter& JsonArrayWriter::Raw(std::string_view json) {
  if (!empty()) out_.push_back(',');
  out_.append(json);
  return *this;
}

std::string JsonArrayWriter::Finish() {
  out_.push_back(']');
  std::string text = std::move(out_);
  out_.clear();
  out_.push_back('[');
  return text;
}

}  // namespace chat
