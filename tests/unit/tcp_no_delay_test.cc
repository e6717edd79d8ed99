// DisableNagleToPort: Nagle off on the sockets to one peer port, and only there.
#include "chat/tcp_no_delay.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace chat {
namespace {

// A loopback listener, one client connected to it and the accepted end.
struct LoopbackPair {
  int listener = -1;
  int client = -1;
  int accepted = -1;
  uint16_t port = 0;

  LoopbackPair() {
    listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(listener, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        listen(listener, 4) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ADD_FAILURE() << "loopback listener";
      return;
    }
    port = ntohs(address.sin_port);
    client = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(client, reinterpret_cast<sockaddr*>(&address), length) != 0) {
      ADD_FAILURE() << "connect";
      return;
    }
    accepted = accept(listener, nullptr, nullptr);
  }
  ~LoopbackPair() {
    for (int fd : {listener, client, accepted}) {
      if (fd >= 0) close(fd);
    }
  }
};

int NoDelay(int fd) {
  int value = -1;
  socklen_t length = sizeof value;
  EXPECT_EQ(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, &length), 0);
  return value;
}

TEST(TcpNoDelayTest, TurnsNagleOffOnTheConnectionToThePort) {
  LoopbackPair broker;
  ASSERT_GE(broker.accepted, 0);
  ASSERT_EQ(NoDelay(broker.client), 0);  // the kernel's default, as Paho leaves it

  EXPECT_EQ(DisableNagleToPort(broker.port), 1);
  EXPECT_EQ(NoDelay(broker.client), 1);
  // The accepted end's peer is the client's ephemeral port: untouched.
  EXPECT_EQ(NoDelay(broker.accepted), 0);
}

TEST(TcpNoDelayTest, LeavesConnectionsToOtherPortsAlone) {
  LoopbackPair broker;
  LoopbackPair other;
  ASSERT_GE(other.accepted, 0);

  EXPECT_EQ(DisableNagleToPort(broker.port), 1);
  EXPECT_EQ(NoDelay(other.client), 0);
  EXPECT_EQ(NoDelay(other.accepted), 0);
}

TEST(TcpNoDelayTest, FindsNothingWhenNoConnectionGoesToThePort) {
  LoopbackPair broker;
  uint16_t unused = broker.port == 1 ? 2 : 1;
  EXPECT_EQ(DisableNagleToPort(unused), 0);
  EXPECT_EQ(NoDelay(broker.client), 0);
}

TEST(TcpNoDelayTest, AgainOnTheSameConnectionIsHarmless) {
  LoopbackPair broker;
  EXPECT_EQ(DisableNagleToPort(broker.port), 1);
  EXPECT_EQ(DisableNagleToPort(broker.port), 1);
  EXPECT_EQ(NoDelay(broker.client), 1);
}

}  // namespace
}  // namespace chat
