// Whole-file reads and writes.
#include "harness/text_files.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace chat::testing {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::trunc);
  out << content;
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

}  // namespace chat::testing
