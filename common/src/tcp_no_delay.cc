// TCP_NODELAY on this process's sockets to one peer port.
#include "chat/tcp_no_delay.h"

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdlib>

namespace chat {

namespace {

bool IsTcpSocketToPort(int fd, uint16_t peer_port) {
  int protocol = 0;
  socklen_t length = sizeof protocol;
  if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &length) != 0)
    return false;  // not a socket
  if (protocol != IPPROTO_TCP) return false;
  sockaddr_storage peer{};
  socklen_t peer_length = sizeof peer;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_length) != 0) return false;
  if (peer.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(peer).sin_port) == peer_port;
  }
  if (peer.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(peer).sin6_port) == peer_port;
  }
  return false;
}

}  // namespace

std::optional<std::vector<int>> TcpSocketsToPort(uint16_t peer_port) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  std::vector<int> sockets;
  while (const dirent* entry = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(dir)) continue;
    if (IsTcpSocketToPort(static_cast<int>(fd), peer_port)) sockets.push_back(static_cast<int>(fd));
  }
  closedir(dir);
  return sockets;
}

int DisableNagleToPort(uint16_t peer_port) {
  std::optional<std::vector<int>> sockets = TcpSocketsToPort(peer_port);
  if (!sockets) return -1;
  int changed = 0;
  for (int fd : *sockets) {
    int on = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) == 0) ++changed;
  }
  return changed;
}

}  // namespace chat
