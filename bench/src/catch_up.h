// The catch-up scenario: one user misses `messages` messages spread over
// `conversations` direct conversations while offline, then a new device of
// it connects and pages through `sync` (PROTOCOL.md) until `more` is false.
// The time from the first `sync` to the last page is the figure.
#pragma once

#include <string>

#include "chat_deployment.h"
#include "event_loop.h"

namespace bench {

struct CatchUpOptions {
  int port = 0;  // broker with the plugin, chatd running
  int conversations = 100;
  int messages = 10000;
  std::size_t message_bytes = 250;
  int sync_limit = 1000;  // messages per page (the protocol's default)
  // Unanswered sends while filling, all peers together: the window starts at
  // one per peer, grows by one per `accepted` up to `window` per peer, and
  // halves on an error or a send unanswered for `resend_after_s`, which is
  // then resent with its `cmid` (chatd answers a repeat with the original).
  int window = 32;
  double resend_after_s = 10;
  // Filling fails only when nothing was accepted for this long.
  double fill_stall_s = 60;
};

struct CatchUpResult {
  int conversations = 0;
  int messages_stored = 0;    // accepted while the reader was offline
  int messages_received = 0;  // in sync pages
  int missing = 0;            // stored but not in any page
  int pages = 0;
  double fill_s = 0;
  int fill_resends = 0;  // sends repeated after an error or no answer
  int fill_errors = 0;   // error events while filling
  double sync_s = 0;     // first sync sent -> last page received
  std::string error;
};

CatchUpResult RunCatchUp(EventLoop& loop, ChatDeployment& deployment,
                         const CatchUpOptions& options);

}  // namespace bench
