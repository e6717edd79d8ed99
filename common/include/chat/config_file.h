// The daemons' configuration file format: one `key = value` per line, `#`
// starts a comment, blank lines ignored. Every error names the file, the line
// and the key, so an operator can fix it without reading code.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace chat {

class ConfigFile {
 public:
  // Parses `path`. Unknown keys (not in `known_keys`) are errors, so a typo
  // never silently falls back to a default. Returns nullopt and sets `error`.
  static std::optional<ConfigFile> Load(const std::string& path,
                                        const std::set<std::string>& known_keys,
                                        std::string* error);

  // Typed getters: nullopt when absent; on a malformed value they set `error`
  // ("<file>: key 'k': expected an integer, got 'x'") and return nullopt.
  std::optional<std::string> String(const std::string& key) const;
  std::optional<int64_t> Integer(const std::string& key, int64_t min, int64_t max,
                                 std::string* error) const;
  // For required keys: sets `error` naming the key and the file when absent.
  std::optional<std::string> RequiredString(const std::string& key, std::string* error) const;

  const std::string& path() const { return path_; }
  // Resolves a path value relative to the config file's directory.
  std::string ResolvePath(const std::string& value) const;

 private:
  std::string path_;
  std::map<std::string, std::string> values_;
};

}  // namespace chat
