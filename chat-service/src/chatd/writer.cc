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
    std::size_t oversize = 0;
    for (const std::string& payload :
         out.Encode(1000, protocol::kMaxServicePayloadBytes, &oversize)) {
      publish_(payload);
    }
    // Committed, so devices still get it by sync; live copies are impossible.
    if (oversize > 0) {
      spdlog::error("batch: {} events larger than the broker's packet limit ({} bytes) were not "
                    "published; devices get them by sync",
                    oversize, protocol::kMaxPacketBytes);
    }
    spdlog::debug("batch: {} commands, {} accepted, {} duplicates, {} rejected", commands.size(),
                  stats.accepted, stats.duplicates, stats.rejected);
    if (options_.after_batch) options_.after_batch();
  }
}

}  // namespace chat
