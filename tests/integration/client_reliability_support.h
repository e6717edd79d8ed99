// Support for the client reliability tests: clients on a TestStack and the
// application's view of their events.
#pragma once

#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "chat/client/chat_client.h"
#include "harness/test_stack.h"

namespace chat::testing {

using namespace std::chrono_literals;
using client::ChatClient;
using client::ClientOptions;
using client::Event;

// Options for user:device on `stack` (provisioned), with short timeouts.
inline ClientOptions OptionsFor(TestStack& stack, const std::string& user,
                                const std::string& device, const std::string& state_path = "") {
  ClientOptions options;
  options.port = stack.port();
  options.user = user;
  options.device = device;
  options.token = stack.Provision(user, device);
  options.state_path = state_path;
  options.accept_timeout = 2s;
  options.reconnect = {100ms, 1000ms};
  options.connect_timeout = 2s;
  return options;
}

inline std::unique_ptr<ChatClient> Connected(const ClientOptions& options) {
  auto c = std::make_unique<ChatClient>(options);
  auto result = c->Connect(5s);
  EXPECT_TRUE(result.ok()) << result.status.message();
  return c;
}

// Takes a client's events as the app would, keeping what it saw.
class AppView {
 public:
  explicit AppView(ChatClient& chat) : chat_(chat) {}

  // Takes events until `done` holds or `timeout` passes; true if it held.
  bool Until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 20s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      if (auto e = chat_.NextEvent(50ms)) Take(std::move(*e));
    }
    return true;
  }
  bool UntilType(const std::string& type, std::chrono::milliseconds timeout = 20s) {
    std::size_t before = Count(type);
    return Until([&] { return Count(type) > before; }, timeout);
  }
  // Takes whatever arrives for `period`.
  void For(std::chrono::milliseconds period) {
    auto deadline = std::chrono::steady_clock::now() + period;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto e = chat_.NextEvent(20ms)) Take(std::move(*e));
    }
  }

  std::size_t Count(const std::string& type) const {
    std::size_t n = 0;
    for (const auto& e : all_) n += e.type == type;
    return n;
  }
  // Messages (msg/accepted) of `conv` in the order the app got them.
  std::vector<Event> Messages(const std::string& conv) const {
    std::vector<Event> out;
    for (const auto& e : all_) {
      if (e.IsSequenced() && e.conv == conv) out.push_back(e);
    }
    return out;
  }
  std::vector<int64_t> Seqs(const std::string& conv) const {
    std::vector<int64_t> out;
    for (const auto& e : Messages(conv)) out.push_back(e.seq);
    return out;
  }
  const std::vector<Event>& all() const { return all_; }

 private:
  void Take(Event e) { all_.push_back(std::move(e)); }

  ChatClient& chat_;
  std::vector<Event> all_;
};

inline std::vector<int64_t> OneTo(int64_t n) {
  std::vector<int64_t> out;
  for (int64_t i = 1; i <= n; ++i) out.push_back(i);
  return out;
}

inline client::SendRequest To(const std::string& user, const std::string& cmid,
                              const std::string& body) {
  return {user, "", body, cmid, {}};
}

// Sends `count` messages m1..m{count} to bob and waits until all are accepted;
// returns the conversation id.
inline std::string SendAccepted(ChatClient& chat, int count, const std::string& prefix = "m") {
  std::string conv;
  for (int i = 1; i <= count; ++i) {
    std::string cmid = prefix + std::to_string(i);
    EXPECT_TRUE(chat.Send(To("bob", cmid, "body " + cmid)).status.ok());
    auto accepted = chat.WaitForAcceptance(cmid, 20s);
    EXPECT_TRUE(accepted && accepted->Is("accepted")) << cmid;
    if (accepted) conv = accepted->conv;
  }
  return conv;
}

// Runs a shell command: its stdout and exit status.
inline std::pair<std::string, int> Shell(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return {"", -1};
  std::array<char, 4096> buffer;
  while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
  int status = pclose(pipe);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

}  // namespace chat::testing
