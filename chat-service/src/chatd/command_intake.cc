// Parse and route device commands.
#include "chatd/command_intake.h"

#include <spdlog/spdlog.h>

#include "chat/topics.h"

namespace chat {

CommandIntake::CommandIntake(BlockingQueue<Command>& writes, BlockingQueue<Command>& queries,
                             CommandLimits limits)
    : writes_(writes), queries_(queries), limits_(limits) {}

void CommandIntake::Accept(std::string_view topic, std::string_view payload) {
  auto sender = ParseUpTopic(topic);
  if (!sender) {
    // The plugin's ACL makes this unreachable; never trust it silently.
    spdlog::warn("ignored a message on unexpected topic '{}'", topic);
    return;
  }
  Command command = ParseCommand(*sender, payload, limits_);
  (command.IsQuery() ? queries_ : writes_).Push(std::move(command));
}

}  // namespace chat
