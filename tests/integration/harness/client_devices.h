// The client library's devices on the test stack, for tests that link
// chat_client: options with a fresh token, and a connected client.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "chat/client/chat_client.h"
#include "harness/test_stack.h"

namespace chat::testing {

// The library's defaults for `device` of `user` (provisioned, with a fresh
// token) on `port`, 0 meaning the stack's device port.
inline client::ClientOptions DeviceOptions(TestStack& stack, const std::string& user,
                                           const std::string& device = "phone", int port = 0) {
  client::ClientOptions options;
  options.port = port ? port : stack.port();
  options.user = user;
  options.device = device;
  options.token = stack.Provision(user, device);
  return options;
}

// A client with `options`, connected; a failed connect fails the test.
inline std::unique_ptr<client::ChatClient> ConnectedDevice(const client::ClientOptions& options) {
  auto client = std::make_unique<client::ChatClient>(options);
  client::ConnectResult result = client->Connect(std::chrono::seconds(5));
  EXPECT_TRUE(result.status.ok()) << options.user << ":" << options.device << " on port "
                                  << options.port << ": " << result.status.message();
  return client;
}

}  // namespace chat::testing
