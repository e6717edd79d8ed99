// The example demonstrates: connecting a ChatClient with options, sending one
// message to a user, waiting for the backend's `accepted`, and printing the
// events that arrive for a few seconds. It uses the public headers only.
//
//   send_and_listen HOST PORT USER DEVICE TOKEN_FILE TO BODY
//   send_and_listen 127.0.0.1 1883 alice laptop alice.token bob "hello"
#include <cctype>
#include <chrono>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "chat/client/chat_client.h"

using namespace std::chrono_literals;
namespace client = chat::client;

int main(int argc, char** argv) {
  if (argc != 8) {
    std::cerr << "usage: " << argv[0] << " HOST PORT USER DEVICE TOKEN_FILE TO BODY\n";
    return 2;
  }
  std::ifstream token_file(argv[5]);
  std::stringstream token;
  token << token_file.rdbuf();
  std::string token_text = token.str();
  while (!token_text.empty() && std::isspace(static_cast<unsigned char>(token_text.back()))) {
    token_text.pop_back();
  }

  // No state_path: the outbox and cursors live in memory and end with the process.
  client::ChatClient chat({.host = argv[1],
                           .port = std::stoi(argv[2]),
                           .user = argv[3],
                           .device = argv[4],
                           .token = token_text});
  client::ConnectResult connected = chat.Connect(10s);
  if (!connected.ok()) {
    std::cerr << "cannot connect: " << connected.status.message() << '\n';
    return 1;
  }

  client::SendResult sent = chat.Send({.to = argv[6], .body = argv[7]});
  if (!sent.status.ok()) {
    std::cerr << "cannot send: " << sent.status.message() << '\n';
    return 1;
  }
  // A PUBACK proves nothing: the backend's `accepted` (or `error`) does.
  std::optional<client::Event> answer = chat.WaitForAcceptance(sent.cmid, 10s);
  if (!answer || !answer->Is(client::event_type::kAccepted)) {
    std::cerr << "not accepted: " << (answer ? answer->code : "no answer in time") << '\n';
    return 1;
  }
  std::cout << "accepted as seq " << answer->seq << " of " << answer->conv << '\n';

  // Everything else that arrives (messages in order, receipts, typing, sync).
  auto end = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < end) {
    if (auto event = chat.NextEvent(200ms)) std::cout << client::FormatEventLine(*event) << '\n';
  }
  chat.Disconnect();
  return 0;
}
