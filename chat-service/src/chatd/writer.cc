// The writer loop.
#include "chatd/writer.h"

#include <spdlog/spdlog.h>

#include "chat/topics.h"
#include "chatd/command_processor.h"
#include "chatd/fanout_batch.h"
#include "store/message_store.h"

namespace chat {

Writer::Writer(Database& db, CommandQueue& queue, Publish publish, WriterOptions options)
    : db_(db), queue_(queue), publish_(std::move(publish)), options_(options) {}

void Writer::Run(const std::atomic<bool>& stop) {
  MessageStore store(db_);
  CommandProcessor processor(db_, store);
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
      commands.push_back(ParseCommand(*sender, item.payload, options_.limits));
    }
    out.Clear();
    BatchStats stats = processor.ProcessBatch(commands, out);
    for (const std::string& payload : out.Encode()) publish_(payload);
    spdlog::debug("batch: {} commands, {} accepted, {} duplicates, {} rejected", commands.size(),
                  stats.accepted, stats.duplicates, stats.rejected);
  }
}

}  // namespace chat
