// Parsing of `key = value` configuration files.
#include "chat/config_file.h"

#include <charconv>
#include <fstream>

namespace chat {

namespace {
std::string Trim(const std::string& s) {
  auto begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  auto end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}
}  // namespace

StatusOr<ConfigFile> ConfigFile::Load(const std::string& path,
                                      const std::set<std::string>& known_keys) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read config file " + path);
  ConfigFile config;
  config.path_ = path;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    auto hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    line = Trim(line);
    if (line.empty()) continue;
    auto where = path + ":" + std::to_string(number);
    auto eq = line.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument(where + ": expected 'key = value', got '" + line + "'");
    }
    std::string key = Trim(line.substr(0, eq));
    std::string value = Trim(line.substr(eq + 1));
    if (!known_keys.count(key)) {
      std::string list;
      for (const auto& k : known_keys) list += (list.empty() ? "" : ", ") + k;
      return Status::InvalidArgument(where + ": unknown key '" + key + "' (known keys: " + list +
                                     ")");
    }
    if (config.values_.count(key)) {
      return Status::InvalidArgument(where + ": key '" + key + "' is set twice");
    }
    config.values_[key] = value;
  }
  return config;
}

std::optional<std::string> ConfigFile::String(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

StatusOr<std::string> ConfigFile::RequiredString(const std::string& key) const {
  auto value = String(key);
  if (!value || value->empty()) {
    return Status::InvalidArgument(path_ + ": required key '" + key + "' is missing");
  }
  return *value;
}

Status ConfigFile::Integer(const std::string& key, int64_t min, int64_t max, int64_t* value) const {
  auto text = String(key);
  if (!text) return Status::Ok();
  int64_t parsed = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), parsed);
  if (ec != std::errc() || end != text->data() + text->size()) {
    return Status::InvalidArgument(path_ + ": key '" + key + "': expected an integer, got '" +
                                   *text + "'");
  }
  if (parsed < min || parsed > max) {
    return Status::InvalidArgument(path_ + ": key '" + key + "': " + *text + " is outside " +
                                   std::to_string(min) + ".." + std::to_string(max));
  }
  *value = parsed;
  return Status::Ok();
}

Status ConfigFile::OneOf(const std::string& key, const std::set<std::string>& allowed,
                         std::string* value) const {
  auto text = String(key);
  if (!text) return Status::Ok();
  if (!allowed.count(*text)) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return Status::InvalidArgument(path_ + ": key '" + key + "': expected one of " + list +
                                   ", got '" + *text + "'");
  }
  *value = *text;
  return Status::Ok();
}

std::string ConfigFile::ResolvePath(const std::string& value) const {
  if (value.empty() || value[0] == '/') return value;
  auto slash = path_.rfind('/');
  if (slash == std::string::npos) return value;
  return path_.substr(0, slash + 1) + value;
}

}  // namespace chat
