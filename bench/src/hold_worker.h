// `chat-bench hold`: a worker process of the connections scenario. It holds
// a slice of the devices open, because one process cannot hold them all
// (libmosquitto uses three descriptors per client and RLIMIT_NOFILE is
// bounded). Protocol on stdin/stdout, one line each:
//   worker -> "armed"                       clients created
//   parent -> "go"                          connect now
//   worker -> "ready <ready> <refused> <lost> <start_ns> <last_connack_ns> <last_ready_ns>"
//   parent closes stdin                     finish
//   worker -> "alive <still connected>"     then exits
#pragma once

#include <string>

namespace bench {

struct HoldOptions {
  int port = 0;
  std::string bind_address;  // source address of every connection
  std::string devices_file;  // "user device token" per line
  int first = 0;             // first line (0-based) of this worker's slice
  int count = 0;
  int max_pending = 32;    // connects awaiting their SUBACK at once
  double timeout_s = 120;  // for connecting the whole slice
};

int RunHoldWorker(const HoldOptions& options);

}  // namespace bench
