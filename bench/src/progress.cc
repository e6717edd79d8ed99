// Progress lines on stderr, and the numbered names of a scenario's users.
#include "progress.h"

#include <iostream>

#include "machine_info.h"

namespace bench {

void Say(std::string_view what) {
  std::cerr << "[bench " << LocalTimestamp("%H:%M:%S") << "] " << what << std::endl;
}

void Say(std::string_view scenario, std::string_view what) {
  std::cerr << "[bench " << LocalTimestamp("%H:%M:%S") << "] " << scenario << ": " << what
            << std::endl;
}

std::vector<std::string> NumberedNames(std::string_view prefix, int count) {
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(count > 0 ? count : 0));
  for (int i = 0; i < count; ++i) names.push_back(std::string(prefix) + std::to_string(i));
  return names;
}

}  // namespace bench
