// Parsing of presence snapshot requests and the pages that answer them.
#include "presence_snapshot.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "chat/ids.h"
#include "chat/topics.h"

namespace chat::plugin {

namespace {

// The `after` of a request: "" when absent; nullopt when malformed.
std::optional<std::string> AfterOf(std::string_view request) {
  auto parsed = nlohmann::json::parse(request, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  auto after = parsed.find("after");
  if (after == parsed.end()) return std::string();
  if (!after->is_string()) return std::nullopt;
  std::string value = after->get<std::string>();
  if (!value.empty() && !IsValidId(value)) return std::nullopt;
  return value;
}

}  // namespace

PresenceSnapshotAnswer AnswerPresenceRequest(const Identity& requester, std::string_view request,
                                             const PresenceTracker& tracker, int64_t boot_ms,
                                             int64_t now_ms, std::size_t page_users) {
  PresenceSnapshotAnswer answer;
  if (!requester.is_service()) {
    answer.error = "requester is not a service identity";
    return answer;
  }
  std::optional<std::string> after = AfterOf(request);
  if (!after) {
    answer.error = R"(request is not {"after":"<user id>"})";
    return answer;
  }
  PresencePage page = tracker.OnlineAfter(*after, std::max<std::size_t>(page_users, 1), now_ms);
  std::optional<std::string> until;
  if (page.more) until = page.states.back().user;
  answer.messages.reserve(page.states.size() + 1);
  answer.messages.push_back(
      {std::string(kBrokerBootTopic), PresencePageMarkPayload(boot_ms, *after, until)});
  for (const PresenceChange& state : page.states) {
    answer.messages.push_back({PresenceTopic(state.user), PresencePayload(state, boot_ms)});
  }
  answer.ok = true;
  return answer;
}

std::string PresencePageMarkPayload(int64_t boot_ms, std::string_view after,
                                    const std::optional<std::string>& until) {
  nlohmann::ordered_json range = {{"after", after}};
  if (until) range["until"] = *until;
  return nlohmann::ordered_json{{"boot", boot_ms}, {"snapshot", range}}.dump();
}

}  // namespace chat::plugin
