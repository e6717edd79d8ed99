// Group commands remembered by req_id.
#include "chatd/group_requests.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "chatd/events.h"

namespace chat {

namespace {

using json = nlohmann::json;
using Action = GroupChangeCommand::Action;

std::string_view ChangeType(Action action) {
  switch (action) {
    case Action::kAdd: return protocol::command::kGroupAdd;
    case Action::kRemove: return protocol::command::kGroupRemove;
    case Action::kLeave: return protocol::command::kGroupLeave;
    case Action::kSetRole: return protocol::command::kGroupRole;
  }
  return "group.?";
}

std::vector<std::string> Sorted(std::vector<std::string> users) {
  std::sort(users.begin(), users.end());
  return users;
}

// The command's type and parameters as canonical JSON; null for non-group commands.
json Canonical(const Command& command) {
  if (const auto* create = std::get_if<GroupCreateCommand>(&command.body)) {
    return {{"type", protocol::command::kGroupCreate},
            {"title", create->title},
            {"members", Sorted(create->members)}};
  }
  if (const auto* change = std::get_if<GroupChangeCommand>(&command.body)) {
    return {{"type", ChangeType(change->action)},
            {"conv", change->conv},
            {"users", Sorted(change->users)},
            {"user", change->user},
            {"role", change->role}};
  }
  return nullptr;
}

uint64_t Fnv1a64(const std::string& text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

std::string Digest(const json& canonical) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(Fnv1a64(Dump(canonical))));
  return hex;
}

}  // namespace

std::string GroupCommandFingerprint(const Command& command) {
  json canonical = Canonical(command);
  return canonical.is_null() ? "" : Digest(canonical);
}

std::optional<std::string> FindAppliedGroupCommand(WriteContext& ctx, const Command& command,
                                                   int64_t now_ms) {
  if (command.req_id.empty()) return std::nullopt;
  auto applied = ctx.group_requests.Find(command.sender.user, command.sender.device, command.req_id,
                                         now_ms - kGroupRequestRetentionMs);
  if (!applied || applied->fingerprint != GroupCommandFingerprint(command)) return std::nullopt;
  return applied->conv;
}

void RememberGroupCommand(WriteContext& ctx, const Command& command, const std::string& conv,
                          int64_t now_ms) {
  json canonical = Canonical(command);
  if (command.req_id.empty() || canonical.is_null()) return;
  ctx.group_requests.Remember(
      command.sender.user, command.sender.device, command.req_id,
      {canonical["type"].get<std::string>(), Digest(canonical), conv, now_ms});
  ctx.group_requests.ForgetOlderThan(now_ms - kGroupRequestRetentionMs);
}

}  // namespace chat
