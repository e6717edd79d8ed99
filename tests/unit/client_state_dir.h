// A fresh temporary directory for a client state file, removed at the end.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace chat::client::testing {

class StateDir {
 public:
  StateDir() {
    char dir[] = "/tmp/chat-client-test-XXXXXX";
    if (!::mkdtemp(dir)) std::abort();
    dir_ = dir;
  }
  ~StateDir() { std::filesystem::remove_all(dir_); }
  StateDir(const StateDir&) = delete;
  StateDir& operator=(const StateDir&) = delete;
  std::string path() const { return dir_ + "/state.db"; }

 private:
  std::string dir_;
};

}  // namespace chat::client::testing
