// The first stage of chatd's pipeline, run on the broker link's receiving
// thread: parses each device command and routes it to the writer (writes) or
// the query thread (reads). Parsing here rather than on the writer lets the
// next batch be parsed while the writer waits for its commit to sync.
#pragma once

#include <string_view>

#include "chatd/command.h"
#include "chatd/command_queue.h"

namespace chat {

class CommandIntake {
 public:
  CommandIntake(BlockingQueue<Command>& writes, BlockingQueue<Command>& queries,
                CommandLimits limits);
  // One MQTT message from chat/up/{u}/{d}. Never throws on bad input: a bad
  // payload becomes a rejected command, answered by the writer with its error.
  void Accept(std::string_view topic, std::string_view payload);

 private:
  BlockingQueue<Command>& writes_;
  BlockingQueue<Command>& queries_;
  CommandLimits limits_;
};

}  // namespace chat
