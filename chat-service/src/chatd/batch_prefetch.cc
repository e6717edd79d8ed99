// Prefetching a batch's reads.
#include "chatd/batch_prefetch.h"

#include <set>
#include <string>

#include "chat/protocol.h"

namespace chat {

void BatchPrefetch::Load(const std::vector<Command>& commands, int64_t now_ms) {
  std::set<std::string> convs;
  std::set<std::string> senders;
  std::vector<Key> client_ids;
  for (const Command& command : commands) {
    const auto* send = std::get_if<SendCommand>(&command.body);
    if (!send || send->conv.empty()) continue;  // a send `to` a user finds its conversation
    convs.insert(send->conv);
    senders.insert(command.sender.user);
    client_ids.push_back({send->conv, command.sender.user, send->cmid});
  }
  if (convs.empty()) return;
  std::vector<std::string> conv_list(convs.begin(), convs.end());
  conversations_.Prefetch(conv_list);
  messages_.PrefetchLastSeqs(conv_list);
  messages_.PrefetchClientIds(client_ids);
  conversations_.PrefetchDevices({senders.begin(), senders.end()});
  push_.PrefetchTargets(conv_list, now_ms);
  // A direct conversation's partners: the blocks between them are checked.
  std::set<std::string> users = senders;
  for (const std::string& conv : conv_list) {
    if (conversations_.Kind(conv) != protocol::kind::kDirect) continue;
    for (const std::string& member : conversations_.ActiveMembers(conv)) users.insert(member);
  }
  privacy_.PrefetchBlocks({users.begin(), users.end()});
}

void BatchPrefetch::Forget() {
  conversations_.ForgetPrefetched();
  messages_.ForgetPrefetched();
  privacy_.ForgetPrefetched();
  push_.ForgetPrefetched();
}

bool BatchPrefetch::Keeps(const Command& command) {
  return std::holds_alternative<SendCommand>(command.body) ||
         std::holds_alternative<CursorCommand>(command.body) ||
         std::holds_alternative<LastSeenCommand>(command.body);
}

}  // namespace chat
