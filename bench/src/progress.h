// Progress lines on stderr while the benchmark runs: "[bench HH:MM:SS] ...".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bench {

void Say(std::string_view what);
// The same, for one scenario's lines: "[bench HH:MM:SS] scenario: what".
void Say(std::string_view scenario, std::string_view what);

// prefix0, prefix1, ...: the user names of a scenario's `count` devices.
std::vector<std::string> NumberedNames(std::string_view prefix, int count);

}  // namespace bench
