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

std::optional<ConfigFile> ConfigFile::Load(const std::string& path,
                                           const std::set<std::string>& known_keys,
                                           std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read config file " + path;
    return std::nullopt;
  }
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
      *error = where + ": expected 'key = value', got '" + line + "'";
      return std::nullopt;
    }
    std::string key = Trim(line.substr(0, eq));
    std::string value = Trim(line.substr(eq + 1));
    if (!known_keys.count(key)) {
      std::string list;
      for (const auto& k : known_keys) list += (list.empty() ? "" : ", ") + k;
      *error = where + ": unknown key '" + key + "' (known keys: " + list + ")";
      return std::nullopt;
    }
    if (config.values_.count(key)) {
      *error = where + ": key '" + key + "' is set twice";
      return std::nullopt;
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

std::optional<std::string> ConfigFile::RequiredString(const std::string& key,
                                                      std::string* error) const {
  auto value = String(key);
  if (!value || value->empty()) {
    *error = path_ + ": required key '" + key + "' is missing";
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> ConfigFile::Integer(const std::string& key, int64_t min, int64_t max,
                                           std::string* error) const {
  auto value = String(key);
  if (!value) return std::nullopt;
  int64_t parsed = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), parsed);
  if (ec != std::errc() || end != value->data() + value->size()) {
    *error = path_ + ": key '" + key + "': expected an integer, got '" + *value + "'";
    return std::nullopt;
  }
  if (parsed < min || parsed > max) {
    *error = path_ + ": key '" + key + "': " + *value + " is outside " + std::to_string(min) +
             ".." + std::to_string(max);
    return std::nullopt;
  }
  return parsed;
}

std::string ConfigFile::ResolvePath(const std::string& value) const {
  if (value.empty() || value[0] == '/') return value;
  auto slash = path_.rfind('/');
  if (slash == std::string::npos) return value;
  return path_.substr(0, slash + 1) + value;
}

}  // namespace chat
