// The writer loop.
#include "chatd/writer.h"

#include <spdlog/spdlog.h>

#include "chatd/command_processor.h"
#include "chatd/fanout_batch.h"

namespace chat {

Writer::Writer(Database& db, BlockingQueue<Command>& writes, Publish publish, WriterOptions options)
    : db_(db), writes_(writes), publish_(std::move(publish)), options_(options) {}

void Writer::Run(const std::atomic<bool>& stop) {
  CommandProcessor processor(db_, options_.limits);
  FanoutBatch out;
  while (true) {
    auto commands = writes_.PopBatch(options_.max_batch, std::chrono::milliseconds(100));
    if (commands.empty()) {
      if (stop) return;
      continue;
    }
    out.Clear();
    BatchStats stats = processor.ProcessBatch(commands, out);
    for (const std::string& payload : out.Encode()) publish_(payload);
    spdlog::debug("batch: {} commands, {} accepted, {} duplicates, {} rejected", commands.size(),
                  stats.accepted, stats.duplicates, stats.rejected);
    if (options_.after_batch) options_.after_batch();
  }
}

}  // namespace chat
