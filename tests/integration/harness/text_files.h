// Whole-file reads and writes for the integration harness (configs, logs).
#pragma once

#include <string>

namespace chat::testing {

// The file's content; "" when it cannot be read (a log not written yet).
std::string ReadFile(const std::string& path);
// Replaces the file's content; throws std::runtime_error on failure.
void WriteFile(const std::string& path, const std::string& content);

}  // namespace chat::testing
