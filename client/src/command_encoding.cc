// Encoding and validation of the commands a device publishes (PROTOCOL.md
// section 5), and fresh ids. This is an internal file of the client library.
#include "command_encoding.h"

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "chat/ids.h"
#include "chat/protocol.h"

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

Status ValidateConv(std::string_view conv) {
  return IsValidId(conv) ? Status::Ok() : Invalid("'conv' is not a valid conversation id");
}

Status ValidateUsers(const char* name, const std::vector<std::string>& users) {
  if (users.empty()) return Invalid(std::string("'") + name + "' must name at least one user");
  for (const auto& user : users) {
    if (!IsValidId(user)) return Invalid("'" + user + "' is not a valid user id");
  }
  return Status::Ok();
}

ordered_json Request(std::string_view type, std::string_view req_id) {
  ordered_json j;
  j["type"] = std::string(type);
  j["req_id"] = std::string(req_id);
  return j;
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
  if (!r.req_id && r.to.empty()) {
    return Dump(ordered_json::array(
        {std::string(protocol::command::kSend), r.conv, r.cmid.value_or(""), r.body}));
  }
  ordered_json j;
  j["type"] = std::string(protocol::command::kSend);
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
  j["type"] = std::string(protocol::command::kConvCreate);
  j["req_id"] = std::string(req_id);
  j["with"] = std::string(with);
  return Dump(j);
}

std::string NewClientMessageId() {
  // 11 base62 digits, 65 random bits: a cmid need only be unique per sender
  // and conversation (a million messages of one sender in one conversation
  // collide with a chance of 1 in 10^8), and it travels in every send and
  // its `accepted`.
  static constexpr char kBase62[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::uniform_int_distribution<int> digit(0, 61);
  std::string id(11, '0');
  for (char& c : id) c = kBase62[digit(Rng())];
  return id;
}

std::string NewRequestId() {
  uint64_t bits = Rng()();
  std::string id = "r";
  for (int k = 0; k < 8; ++k) AppendHex(id, static_cast<uint8_t>(bits >> (8 * k)));
  return id;
}

Status ValidateReqId(std::string_view req_id) {
  return IsValidClientToken(req_id) ? Status::Ok()
                                    : Invalid("'req_id' must match [A-Za-z0-9._:-]{1,64}");
}

Status ValidateGroupCreate(std::string_view title, const std::vector<std::string>& members) {
  if (title.empty() || title.size() > protocol::kMaxTitleBytes || !IsValidUtf8(title)) {
    return Invalid("'title' must be 1.." + std::to_string(protocol::kMaxTitleBytes) +
                   " bytes of UTF-8");
  }
  return ValidateUsers("members", members);
}

std::string EncodeGroupCreate(std::string_view req_id, std::string_view title,
                              const std::vector<std::string>& members) {
  ordered_json j = Request(protocol::command::kGroupCreate, req_id);
  j["title"] = std::string(title);
  j["members"] = members;
  return Dump(j);
}

Status ValidateGroupMembers(std::string_view conv, const std::vector<std::string>& users) {
  Status status = ValidateConv(conv);
  return status.ok() ? ValidateUsers("users", users) : status;
}

std::string EncodeGroupMembers(std::string_view type, std::string_view req_id,
                               std::string_view conv, const std::vector<std::string>& users) {
  ordered_json j = Request(type, req_id);
  j["conv"] = std::string(conv);
  j["users"] = users;
  return Dump(j);
}

std::string EncodeGroupLeave(std::string_view req_id, std::string_view conv) {
  ordered_json j = Request(protocol::command::kGroupLeave, req_id);
  j["conv"] = std::string(conv);
  return Dump(j);
}

Status ValidateGroupRole(std::string_view conv, std::string_view user, std::string_view role) {
  Status status = ValidateConv(conv);
  if (!status.ok()) return status;
  if (!IsValidId(user)) return Invalid("'user' is not a valid user id");
  if (role != protocol::role::kAdmin && role != protocol::role::kMember)
    return Invalid("'role' must be admin or member");
  return Status::Ok();
}

std::string EncodeGroupRole(std::string_view req_id, std::string_view conv, std::string_view user,
                            std::string_view role) {
  ordered_json j = Request(protocol::command::kGroupRole, req_id);
  j["conv"] = std::string(conv);
  j["user"] = std::string(user);
  j["role"] = std::string(role);
  return Dump(j);
}

std::string EncodeSync(std::string_view req_id, const std::map<std::string, int64_t>& cursors,
                       int limit) {
  ordered_json j = Request(protocol::command::kSync, req_id);
  j["cursors"] = ordered_json::object();
  for (const auto& [conv, seq] : cursors) j["cursors"][conv] = seq;
  j["limit"] = limit;
  return Dump(j);
}

Status ValidateHistory(std::string_view conv, int64_t before, int limit) {
  Status status = ValidateConv(conv);
  if (!status.ok()) return status;
  if (before < 0) return Invalid("'before' must be a seq >= 1 (or 0: after the last)");
  if (limit < 0 || limit > protocol::kMaxHistoryLimit)
    return Invalid("'limit' must be 1.." + std::to_string(protocol::kMaxHistoryLimit));
  return Status::Ok();
}

std::string EncodeHistory(std::string_view req_id, std::string_view conv, int64_t before,
                          int limit) {
  ordered_json j = Request(protocol::command::kHistory, req_id);
  j["conv"] = std::string(conv);
  if (before > 0) j["before"] = before;
  if (limit > 0) j["limit"] = limit;
  return Dump(j);
}

Status ValidateConvSeq(std::string_view conv, int64_t seq) {
  Status status = ValidateConv(conv);
  if (!status.ok()) return status;
  return seq >= 1 ? Status::Ok() : Invalid("'seq' must be >= 1");
}

std::string EncodeCursor(std::string_view type, std::string_view conv, int64_t seq) {
  return Dump(ordered_json::array({std::string(type), std::string(conv), seq}));
}

std::string EncodeReceipts(std::string_view req_id, std::string_view conv, int64_t seq) {
  ordered_json j = Request(protocol::command::kReceipts, req_id);
  j["conv"] = std::string(conv);
  j["seq"] = seq;
  return Dump(j);
}

std::string EncodeTyping(std::string_view conv) {
  ordered_json j;
  j["type"] = std::string(protocol::command::kTyping);
  j["conv"] = std::string(conv);
  return Dump(j);
}

Status ValidateUser(std::string_view user) {
  return IsValidId(user) ? Status::Ok() : Invalid("'user' is not a valid user id");
}

std::string EncodeBlock(std::string_view type, std::string_view req_id, std::string_view user) {
  ordered_json j = Request(type, req_id);
  j["user"] = std::string(user);
  return Dump(j);
}

Status ValidateMute(std::string_view conv, int64_t until_ms) {
  Status status = ValidateConv(conv);
  if (!status.ok()) return status;
  return until_ms >= 0 ? Status::Ok() : Invalid("'until' must be Unix ms (or 0: until unmuted)");
}

std::string EncodeMute(std::string_view type, std::string_view req_id, std::string_view conv,
                       int64_t until_ms) {
  ordered_json j = Request(type, req_id);
  j["conv"] = std::string(conv);
  if (until_ms > 0) j["until"] = until_ms;
  return Dump(j);
}

Status ValidateSettingsChange(const SettingsChange& change) {
  if (!change.presence && !change.read_receipts && !change.push_preview) {
    return Invalid("set at least one of 'presence', 'read_receipts' and 'push_preview'");
  }
  if (change.presence && *change.presence != protocol::audience::kEveryone &&
      *change.presence != protocol::audience::kContacts &&
      *change.presence != protocol::audience::kNobody) {
    return Invalid("'presence' must be everyone, contacts or nobody");
  }
  if (change.push_preview && *change.push_preview != protocol::push_preview::kFull &&
      *change.push_preview != protocol::push_preview::kSender &&
      *change.push_preview != protocol::push_preview::kNone) {
    return Invalid("'push_preview' must be full, sender or none");
  }
  return Status::Ok();
}

std::string EncodeSettingsSet(std::string_view req_id, const SettingsChange& change) {
  ordered_json j = Request(protocol::command::kSettingsSet, req_id);
  if (change.presence) j["presence"] = *change.presence;
  if (change.read_receipts) j["read_receipts"] = *change.read_receipts;
  if (change.push_preview) j["push_preview"] = *change.push_preview;
  return Dump(j);
}

std::string EncodeQuery(std::string_view type, std::string_view req_id) {
  return Dump(Request(type, req_id));
}

Status ValidatePushRegistration(const PushRegistration& r) {
  bool apns = r.platform == protocol::push_platform::kApns;
  if (!apns && r.platform != protocol::push_platform::kFcm) {
    return Invalid("'platform' must be fcm or apns");
  }
  if (!IsValidPushApp(r.app)) {
    return Invalid("'app' must be the bundle id or package name, [A-Za-z0-9._-]{1,255}");
  }
  if (apns && !IsValidApnsToken(r.token)) {
    return Invalid("an APNs 'token' is the device token in hex: 64..200 digits, an even number");
  }
  if (!apns && !IsValidFcmToken(r.token)) {
    return Invalid("an FCM 'token' is 1..4096 printable ASCII characters without spaces");
  }
  if (!apns && r.sandbox) return Invalid("'sandbox' applies to apns only");
  return Status::Ok();
}

std::string EncodePushRegister(std::string_view req_id, const PushRegistration& r) {
  ordered_json j = Request(protocol::command::kPushRegister, req_id);
  j["platform"] = r.platform;
  j["app"] = r.app;
  j["token"] = r.token;
  if (r.platform == protocol::push_platform::kApns) j["sandbox"] = r.sandbox;
  return Dump(j);
}

Status ValidateWatchedUsers(const std::vector<std::string>& users) {
  for (const auto& user : users) {
    if (!IsValidId(user)) return Invalid("'" + user + "' is not a valid user id");
  }
  std::set<std::string_view> distinct(users.begin(), users.end());
  if (distinct.size() > protocol::kMaxWatchedUsers) {
    return Invalid("at most " + std::to_string(protocol::kMaxWatchedUsers) +
                   " users may be watched at once");
  }
  return Status::Ok();
}

std::string EncodePresenceWatch(std::string_view req_id, const std::vector<std::string>& users) {
  ordered_json j;
  j["type"] = std::string(protocol::command::kPresenceWatch);
  if (!req_id.empty()) j["req_id"] = std::string(req_id);
  j["users"] = users;
  return Dump(j);
}

std::string EncodePresenceSet(bool away) {
  ordered_json j;
  j["type"] = std::string(protocol::command::kPresenceSet);
  j["state"] =
      std::string(away ? protocol::presence_state::kAway : protocol::presence_state::kOnline);
  return Dump(j);
}

}  // namespace chat::client
