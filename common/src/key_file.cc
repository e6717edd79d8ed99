// Key file loading and generation.
#include "chat/key_file.h"

#include <fstream>
#include <random>
#include <sstream>

namespace chat {

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

StatusOr<SigningKey> LoadKeyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read key file " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string hex;
  for (char c : buffer.str()) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') hex.push_back(c);
  }
  if (hex.size() < 64 || hex.size() % 2 != 0) {
    return Status::InvalidArgument("key file " + path +
                                   " must hold at least 64 hex digits (run: chatctl keygen)");
  }
  SigningKey key;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]);
    int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      return Status::InvalidArgument("key file " + path +
                                     " contains a character that is not a hex digit");
    }
    key.push_back(static_cast<unsigned char>(hi * 16 + lo));
  }
  return key;
}

std::string GenerateKeyText() {
  std::random_device rd;  // /dev/urandom on Linux
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (int i = 0; i < 8; ++i) {
    uint32_t bits = rd();
    for (int k = 0; k < 8; ++k) {
      text.push_back(kHex[bits & 0xF]);
      bits >>= 4;
    }
  }
  text.push_back('\n');
  return text;
}

}  // namespace chat
