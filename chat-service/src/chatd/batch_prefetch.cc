// Prefetching a batch's reads.
#include "chatd/batch_prefetch.h"

#include <set>
#include <string>

#include "chat/protocol.h"

namespace chat {

void BatchPrefetch::Load(const std::vector<Command>& commands, int64_t now_ms) {
  std::set<std::string> convs;
  std::set<std::string> senders;
  std::vector<std::pair<std::string, std::string>> direct_pairs;  // sends `to` a user
  std::vector<std::string> addressees;
  for (const Command& command : commands) {
    const auto* send = std::get_if<SendCommand>(&command.body);
    if (!send) continue;
    senders.insert(command.sender.user);
    if (send->conv.empty()) {
      direct_pairs.emplace_back(command.sender.user, send->to);
      addressees.push_back(send->to);
    } else {
      convs.insert(send->conv);
    }
  }
  if (!direct_pairs.empty()) {
    conversations_.PrefetchActiveUsers(addressees);
    for (std::string& conv : conversations_.PrefetchDirect(direct_pairs)) convs.insert(conv);
  }
  if (convs.empty()) return;
  std::vector<Key> client_ids;
  for (const Command& command : commands) {
    const auto* send = std::get_if<SendCommand>(&command.body);
    if (!send) continue;
    std::string conv = send->conv.empty()
                           ? conversations_.FindDirect(command.sender.user, send->to).value_or("")
                           : send->conv;
    if (!conv.empty()) client_ids.push_back({conv, command.sender.user, send->cmid});
  }
  std::vector<std::string> conv_list(convs.begin(), convs.end());
  conversations_.Prefetch(conv_list);
  messages_.PrefetchLastSeqs(conv_list);
  messages_.PrefetchClientIds(client_ids);
  conversations_.PrefetchDevices({senders.begin(), senders.end()});
  push_.PrefetchTargets(conv_list, now_ms);
  // A direct conversation's partners: the blocks between them are checked.
  std::set<std::string> users = senders;
  users.insert(addressees.begin(), addressees.end());
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
