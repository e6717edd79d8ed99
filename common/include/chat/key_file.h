// The signing key file shared by chatctl (issues tokens), chatd (signs its own
// service token) and the broker plugin (verifies): 64 hex digits, one line.
#pragma once

#include <string>

#include "chat/status.h"
#include "chat/token.h"

namespace chat {

// Reads and decodes a key file. A failure's message is a sentence that names
// the file.
StatusOr<SigningKey> LoadKeyFile(const std::string& path);

// 32 random bytes from the system's CSPRNG, hex-encoded, with a newline.
std::string GenerateKeyText();

}  // namespace chat
