// Wall-clock helpers.
#include "chat/clock.h"

#include <chrono>

namespace chat {

int64_t NowMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t NowSeconds() { return NowMillis() / 1000; }

}  // namespace chat
