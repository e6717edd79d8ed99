// base64url without padding (RFC 4648, section 5), for tests that forge
// token parts; the product only decodes (common/src/hs256.cc).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace chat::support {

inline std::string Base64UrlEncode(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : in) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      out.push_back(kAlphabet[(bits >> (count - 6)) & 0x3F]);
      count -= 6;
    }
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 0x3F]);
  return out;
}

}  // namespace chat::support
