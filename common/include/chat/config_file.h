// The daemons' configuration file format: one `key = value` per line, `#`
// starts a comment, blank lines ignored. Every error names the file, the line
// and the key, so an operator can fix it without reading code.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "chat/status.h"

namespace chat {

class ConfigFile {
 public:
  // Parses `path`. Unknown keys (not in `known_keys`) are errors, so a typo
  // never silently falls back to a default.
  static StatusOr<ConfigFile> Load(const std::string& path,
                                   const std::set<std::string>& known_keys);

  // nullopt when absent.
  std::optional<std::string> String(const std::string& key) const;
  // Sets `*value` when the key is present and an integer in min..max; leaves
  // it (the default) when absent; an error naming file and key otherwise
  // ("<file>: key 'k': expected an integer, got 'x'").
  Status Integer(const std::string& key, int64_t min, int64_t max, int64_t* value) const;
  // The value of a required key; an error naming the key and the file when absent.
  StatusOr<std::string> RequiredString(const std::string& key) const;
  // Sets `*value` when present and one of `allowed`; leaves it when absent.
  Status OneOf(const std::string& key, const std::set<std::string>& allowed,
               std::string* value) const;

  const std::string& path() const { return path_; }
  // Resolves a path value relative to the config file's directory.
  std::string ResolvePath(const std::string& value) const;

 private:
  std::string path_;
  std::map<std::string, std::string> values_;
};

}  // namespace chat
