// The signing key file shared by chatctl (issues tokens), chatd (signs its own
// service token) and the broker plugin (verifies): 64 hex digits, one line.
#pragma once

#include <optional>
#include <string>

#include "chat/token.h"

namespace chat {

// Reads and decodes a key file. On failure returns nullopt and sets `error`
// to a sentence that names the file.
std::optional<SigningKey> LoadKeyFile(const std::string& path, std::string* error);

// 32 random bytes from the system's CSPRNG, hex-encoded, with a newline.
std::string GenerateKeyText();

}  // namespace chat
