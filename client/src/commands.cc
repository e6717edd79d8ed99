// Encoding of device commands (PROTOCOL.md section 5) and fresh ids.
#include "chat/client/commands.h"

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>

#include "chat/ids.h"

namespace chat::client {
namespace {

// Keys keep insertion order so the bytes match PROTOCOL.md's examples.
using ordered_json = nlohmann::ordered_json;

std::string Dump(const ordered_json& j) {
  return j.dump(-1, ' ', /*ensure_ascii=*/false, ordered_json::error_handler_t::replace);
}

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  return rng;
}

void AppendHex(std::string& out, uint8_t byte) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back(kHex[byte >> 4]);
  out.push_back(kHex[byte & 0xF]);
}

Status Invalid(std::string message) {
  return Status::Error(Status::Code::kInvalidArgument, std::move(message));
}

}  // namespace

Status ValidateSend(const SendRequest& r) {
  if (r.to.empty() == r.conv.empty()) return Invalid("exactly one of 'to' and 'conv' must be set");
  if (!r.to.empty() && !IsValidId(r.to)) return Invalid("'to' is not a valid user id");
  if (!r.conv.empty() && !IsValidId(r.conv))
    return Invalid("'conv' is not a valid conversation id");
  if (!r.cmid || !IsValidClientToken(*r.cmid)) {
    return Invalid("'cmid' must match [A-Za-z0-9._:-]{1,64}");
  }
  if (r.req_id && !IsValidClientToken(*r.req_id)) {
    return Invalid("'req_id' must match [A-Za-z0-9._:-]{1,64}");
  }
  if (!IsValidUtf8(r.body)) return Invalid("'body' is not valid UTF-8");
  return Status::Ok();
}

std::string EncodeSend(const SendRequest& r) {
  ordered_json j;
  j["type"] = "send";
  if (r.req_id) j["req_id"] = *r.req_id;
  if (!r.to.empty()) {
    j["to"] = r.to;
  } else {
    j["conv"] = r.conv;
  }
  j["cmid"] = r.cmid.value_or("");
  j["body"] = r.body;
  return Dump(j);
}

std::string EncodeConvCreate(std::string_view req_id, std::string_view with) {
  ordered_json j;
  j["type"] = "conv.create";
  j["req_id"] = std::string(req_id);
  j["with"] = std::string(with);
  return Dump(j);
}

std::string NewClientMessageId() {
  std::array<uint8_t, 16> bytes;
  for (std::size_t i = 0; i < bytes.size(); i += 8) {
    uint64_t bits = Rng()();
    for (std::size_t k = 0; k < 8; ++k) bytes[i + k] = static_cast<uint8_t>(bits >> (8 * k));
  }
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string id;
  id.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id.push_back('-');
    AppendHex(id, bytes[i]);
  }
  return id;
}

std::string NewRequestId() {
  uint64_t bits = Rng()();
  std::string id = "r";
  for (int k = 0; k < 8; ++k) AppendHex(id, static_cast<uint8_t>(bits >> (8 * k)));
  return id;
}

}  // namespace chat::client
