// The writer loop.
#include "chatd/writer.h"

#include <spdlog/spdlog.h>

#include "chat/topics.h"
#include "chatd/command_processor.h"
#include "chatd/fanout_batch.h"

namespace chat {

Writer::Writer(Database& db, CommandQueue& queue, BlockingQueue<Command>& queries, Publish publish,
               WriterOptions options)
    : db_(db), queue_(queue), queries_(queries), publish_(std::move(publish)), options_(options) {}

void Writer::Run(const std::atomic<bool>& stop) {
  CommandProcessor processor(db_, options_.limits);
  FanoutBatch out;
  while (true) {
    auto raw = queue_.PopBatch(options_.max_batch, std::chrono::milliseconds(100));
    if (raw.empty()) {
      if (stop) return;
      continue;
    }
    std::vector<Command> commands;
    commands.reserve(raw.size());
    for (RawCommand& item : raw) {
      auto sender = ParseUpTopic(item.topic);
      if (!sender) {
        // The plugin's ACL makes this unreachable; never trust it silently.
        spdlog::warn("ignored a message on unexpected topic '{}'", item.topic);
        continue;
      }
      Command command = ParseCommand(*sender, item.payload, options_.limits);
      if (command.IsQuery()) {
        queries_.Push(std::move(command));
      } else {
        commands.push_back(std::move(command));
      }
    }
    if (commands.empty()) continue;
    out.Clear();
    BatchStats stats = processor.ProcessBatch(commands, out);
    for (const std::string& payload : out.Encode()) publish_(payload);
    spdlog::debug("batch: {} commands, {} accepted, {} duplicates, {} rejected", commands.size(),
                  stats.accepted, stats.duplicates, stats.rejected);
  }
}

}  // namespace chat
