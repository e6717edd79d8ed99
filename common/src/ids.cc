// Identifier validation and generation.
#include "chat/ids.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <random>

#include "chat/protocol.h"

namespace chat {

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsValidClientToken(std::string_view token) {
  if (token.empty() || token.size() > kMaxIdLength) return false;
  for (char c : token) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

bool IsValidPushApp(std::string_view app) {
  return !app.empty() && app.size() <= protocol::kMaxPushAppBytes &&
         std::all_of(app.begin(), app.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
         });
}

bool IsValidApnsToken(std::string_view token) {
  return token.size() >= 64 && token.size() <= 200 && token.size() % 2 == 0 &&
         std::all_of(token.begin(), token.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

bool IsValidFcmToken(std::string_view token) {
  return !token.empty() && token.size() <= protocol::kMaxPushTokenBytes &&
         std::all_of(token.begin(), token.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

bool IsValidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    static constexpr std::array<uint32_t, 5> kMinForLength = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

std::string NewConversationId() {
  // 80 random bits in 16 lowercase base32 digits: short, since the id is in
  // the topic and payload of every event of the conversation.
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kBase32[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string id = "c";
  uint64_t high = rng();
  uint64_t low = rng();
  for (int k = 0; k < 16; ++k) {
    uint64_t& bits = k < 8 ? high : low;
    id.push_back(kBase32[bits & 0x1F]);
    bits >>= 5;
  }
  return id;
}

}  // namespace chat
