// Parsing of presence snapshot requests and the pages that answer them.
#include "presence_snapshot.h"

#include <algorithm>

#include "chat/presence_format.h"
#include "chat/topics.h"

namespace chat::plugin {

PresenceSnapshotAnswer AnswerPresenceRequest(const Identity& requester, std::string_view request,
                                             const PresenceTracker& tracker, int64_t boot_ms,
                                             int64_t now_ms, std::size_t page_users) {
  PresenceSnapshotAnswer answer;
  if (!requester.is_service()) {
    answer.error = "requester is not a service identity";
    return answer;
  }
  std::optional<std::string> after = presence::ParseSnapshotRequest(request);
  if (!after) {
    answer.error = R"(request is not {"after":"<user id>"})";
    return answer;
  }
  PresencePage page = tracker.OnlineAfter(*after, std::max<std::size_t>(page_users, 1), now_ms);
  std::optional<std::string> until;
  if (page.more) until = page.states.back().user;
  answer.messages.reserve(page.states.size() + 1);
  answer.messages.push_back(
      {std::string(kBrokerBootTopic),
       presence::EncodeBrokerMark(
           {boot_ms,
            presence::PageRange{*after, until, static_cast<int64_t>(page.states.size())}})});
  for (const PresenceChange& state : page.states) {
    answer.messages.push_back({PresenceTopic(state.user), PresencePayload(state, boot_ms)});
  }
  answer.ok = true;
  return answer;
}

}  // namespace chat::plugin
