// Encoding and decoding of the presence payloads.
#include "chat/presence_format.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "chat/ids.h"
#include "chat/json_writer.h"

namespace chat::presence {

namespace {

using nlohmann::json;

// A user id in a page mark or request: "" (the start) only where allowed.
bool IsRangeId(const json& value, bool may_be_empty) {
  if (!value.is_string()) return false;
  const auto& id = value.get_ref<const std::string&>();
  return (may_be_empty && id.empty()) || IsValidId(id);
}

std::optional<PageRange> RangeOf(const json& snapshot) {
  if (!snapshot.is_object()) return std::nullopt;
  auto after = snapshot.find("after");
  auto until = snapshot.find("until");
  if (after == snapshot.end() || !IsRangeId(*after, true)) return std::nullopt;
  PageRange range{after->get<std::string>(), std::nullopt};
  if (until != snapshot.end()) {
    if (!IsRangeId(*until, false) || until->get_ref<const std::string&>() <= range.after) {
      return std::nullopt;
    }
    range.until = until->get<std::string>();
  }
  if (auto users = snapshot.find("users"); users != snapshot.end()) {
    if (!users->is_number_integer() || users->get<int64_t>() < 0) return std::nullopt;
    range.users = users->get<int64_t>();
  }
  return range;
}

std::optional<int64_t> IntegerOf(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

}  // namespace

std::string EncodeUserState(const UserState& state) {
  JsonObjectWriter writer;
  writer.String("user", state.user).Bool("online", state.online).Integer("devices", state.devices);
  if (!state.device.empty()) writer.String("device", state.device);
  if (!state.device_ids.empty()) {
    JsonArrayWriter ids;
    for (const std::string& id : state.device_ids) ids.Raw(json(id).dump());
    writer.Raw("device_ids", ids.Finish());
  }
  writer.Integer("last_seen", state.last_seen_ms).Integer("boot", state.boot_ms);
  if (state.keepalive_s > 0) writer.Integer("keepalive", state.keepalive_s);
  if (state.timed_out) writer.Bool("timeout", true);
  return writer.Finish();
}

int64_t LastPacketBeforeTimeout(int64_t noticed_ms, int64_t keepalive_s) {
  return noticed_ms - keepalive_s * 3 / 2 * 1000 - 3000;
}

std::optional<UserState> ParseUserState(std::string_view payload) {
  json event = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!event.is_object()) return std::nullopt;
  auto user = event.find("user");
  auto online = event.find("online");
  auto boot = IntegerOf(event, "boot");
  if (user == event.end() || !IsRangeId(*user, false) || online == event.end() ||
      !online->is_boolean() || !boot) {
    return std::nullopt;
  }
  std::string device;
  if (auto it = event.find("device"); it != event.end()) {
    if (!IsRangeId(*it, false)) return std::nullopt;
    device = it->get<std::string>();
  }
  auto timeout = event.find("timeout");
  std::vector<std::string> device_ids;
  if (auto it = event.find("device_ids"); it != event.end()) {
    if (!it->is_array()) return std::nullopt;
    for (const json& id : *it) {
      if (!IsRangeId(id, false)) return std::nullopt;
      device_ids.push_back(id.get<std::string>());
    }
  }
  return UserState{user->get<std::string>(),
                   online->get<bool>(),
                   IntegerOf(event, "devices").value_or(0),
                   IntegerOf(event, "last_seen").value_or(0),
                   *boot,
                   std::move(device),
                   std::move(device_ids),
                   std::max<int64_t>(IntegerOf(event, "keepalive").value_or(0), 0),
                   timeout != event.end() && timeout->is_boolean() && timeout->get<bool>()};
}

std::string EncodeBrokerMark(const BrokerMark& mark) {
  JsonObjectWriter writer;
  writer.Integer("boot", mark.boot_ms);
  if (mark.snapshot) {
    JsonObjectWriter range;
    range.String("after", mark.snapshot->after);
    if (mark.snapshot->until) range.String("until", *mark.snapshot->until);
    if (mark.snapshot->users) range.Integer("users", *mark.snapshot->users);
    writer.Raw("snapshot", range.Finish());
  }
  return writer.Finish();
}

std::optional<BrokerMark> ParseBrokerMark(std::string_view payload) {
  json event = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!event.is_object()) return std::nullopt;
  auto boot = IntegerOf(event, "boot");
  if (!boot) return std::nullopt;
  BrokerMark mark{*boot, std::nullopt};
  if (auto snapshot = event.find("snapshot"); snapshot != event.end()) {
    mark.snapshot = RangeOf(*snapshot);
    if (!mark.snapshot) return std::nullopt;
  }
  return mark;
}

std::string EncodeSnapshotRequest(std::string_view after) {
  return JsonObjectWriter().String("after", after).Finish();
}

std::optional<std::string> ParseSnapshotRequest(std::string_view payload) {
  json request = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!request.is_object()) return std::nullopt;
  auto after = request.find("after");
  if (after == request.end()) return std::string();
  if (!IsRangeId(*after, true)) return std::nullopt;
  return after->get<std::string>();
}

std::string EncodeKickRequest(const KickRequest& request) {
  return JsonObjectWriter().String("user", request.user).String("device", request.device).Finish();
}

std::optional<KickRequest> ParseKickRequest(std::string_view payload) {
  json request = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!request.is_object()) return std::nullopt;
  auto user = request.find("user");
  auto device = request.find("device");
  if (user == request.end() || device == request.end() || !user->is_string() ||
      !device->is_string()) {
    return std::nullopt;
  }
  KickRequest kick{user->get<std::string>(), device->get<std::string>()};
  if (!IsValidId(kick.user) || !IsValidId(kick.device)) return std::nullopt;
  return kick;
}

}  // namespace chat::presence
