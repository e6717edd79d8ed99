// The loopback TCP relay: one poll loop over the listening socket, the wake
// pipe and both sockets of every connection.
#include "harness/tcp_relay.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <list>
#include <stdexcept>
#include <string>
#include <vector>

namespace chat::testing {
namespace {

int LoopbackSocket(int port, bool listen_on_it) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("TcpRelay: socket: " + std::string(strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  auto* a = reinterpret_cast<sockaddr*>(&addr);
  bool ok = listen_on_it ? bind(fd, a, sizeof addr) == 0 && listen(fd, 16) == 0
                         : connect(fd, a, sizeof addr) == 0;
  if (!ok) {
    int error = errno;
    close(fd);
    throw std::runtime_error("TcpRelay: " + std::string(listen_on_it ? "listen" : "connect") +
                             ": " + strerror(error));
  }
  return fd;
}

// Writes all of `n` bytes; false when the peer is gone.
bool WriteAll(int fd, const uint8_t* data, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

// One relayed connection, with where the client's byte stream stands in
// MQTT framing: a fixed header (type byte, remaining length in 1..4 bytes
// of 7 bits), then that many bytes.
struct TcpRelay::Connection {
  int client_fd = -1;
  int upstream_fd = -1;
  bool at_type_byte = true;  // the next byte starts a packet
  bool in_length = false;
  uint32_t length = 0;
  uint32_t multiplier = 1;
  uint32_t body_left = 0;

  ~Connection() {
    if (client_fd >= 0) close(client_fd);
    if (upstream_fd >= 0) close(upstream_fd);
  }

  // The offset in `data` of the first packet of `type` that starts there,
  // or `n`; follows the framing over the bytes it passes.
  size_t FindPacket(const uint8_t* data, size_t n, int type) {
    for (size_t i = 0; i < n; ++i) {
      uint8_t byte = data[i];
      if (at_type_byte) {
        if (type >= 0 && (byte >> 4) == type) return i;
        at_type_byte = false;
        in_length = true;
        length = 0;
        multiplier = 1;
      } else if (in_length) {
        length += (byte & 0x7F) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) == 0) {
          in_length = false;
          body_left = length;
          at_type_byte = body_left == 0;
        }
      } else {
        size_t skip = std::min<size_t>(body_left, n - i);
        body_left -= static_cast<uint32_t>(skip);
        i += skip - 1;
        at_type_byte = body_left == 0;
      }
    }
    return n;
  }
};

TcpRelay::TcpRelay(int upstream_port) : upstream_port_(upstream_port) {
  listen_fd_ = LoopbackSocket(0, /*listen_on_it=*/true);
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  if (pipe2(wake_, O_CLOEXEC) != 0) {
    close(listen_fd_);
    throw std::runtime_error("TcpRelay: pipe: " + std::string(strerror(errno)));
  }
  thread_ = std::thread([this] { Run(); });
}

TcpRelay::~TcpRelay() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  Wake();
  thread_.join();
  close(listen_fd_);
  close(wake_[0]);
  close(wake_[1]);
}

void TcpRelay::CutOnClientPacket(int packet_type, int connections) {
  {
    std::lock_guard lock(mu_);
    cut_type_ = packet_type;
    cuts_left_ = connections;
  }
  Wake();
}

void TcpRelay::CutAll() {
  {
    std::lock_guard lock(mu_);
    cut_all_ = true;
  }
  Wake();
}

void TcpRelay::PauseDownstream(bool paused) {
  {
    std::lock_guard lock(mu_);
    downstream_paused_ = paused;
  }
  Wake();
}

std::vector<TcpRelay::TimePoint> TcpRelay::accepted_at() const {
  std::lock_guard lock(mu_);
  return accepted_at_;
}

std::vector<TcpRelay::TimePoint> TcpRelay::cut_on_packet_at() const {
  std::lock_guard lock(mu_);
  return cut_at_;
}

void TcpRelay::Wake() {
  uint8_t byte = 0;
  [[maybe_unused]] ssize_t ignored = write(wake_[1], &byte, 1);
}

void TcpRelay::Run() {
  std::list<Connection> connections;
  std::vector<uint8_t> buffer(64 * 1024);
  while (true) {
    int cut_type = -1;
    bool paused = false;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      paused = downstream_paused_;
      if (cut_all_) connections.clear();
      cut_all_ = false;
      if (cuts_left_ > 0) cut_type = cut_type_;
    }
    std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    for (const Connection& c : connections) {
      fds.push_back({c.client_fd, POLLIN, 0});
      fds.push_back({c.upstream_fd, static_cast<short>(paused ? 0 : POLLIN), 0});
    }
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) {
      uint8_t drained[64];
      [[maybe_unused]] ssize_t ignored = read(wake_[0], drained, sizeof drained);
    }
    size_t index = 2;
    for (auto it = connections.begin(); it != connections.end(); index += 2) {
      Connection& c = *it;
      bool alive = true;
      for (bool up : {true, false}) {
        const pollfd& p = fds[index + (up ? 0 : 1)];
        if (!alive || p.revents == 0) continue;
        ssize_t n = recv(p.fd, buffer.data(), buffer.size(), 0);
        if (n <= 0) {
          alive = false;
          break;
        }
        size_t forward = static_cast<size_t>(n);
        if (up) forward = c.FindPacket(buffer.data(), forward, cut_type);
        int to = up ? c.upstream_fd : c.client_fd;
        alive = WriteAll(to, buffer.data(), forward);
        (up ? bytes_up_ : bytes_down_) += forward;
        if (forward < static_cast<size_t>(n)) {  // the packet to cut on
          alive = false;
          std::lock_guard lock(mu_);
          if (--cuts_left_ <= 0) cut_type = -1;
          cut_at_.push_back(std::chrono::steady_clock::now());
        }
      }
      it = alive ? std::next(it) : connections.erase(it);
    }
    if (fds[0].revents & POLLIN) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      {
        std::lock_guard lock(mu_);
        accepted_at_.push_back(std::chrono::steady_clock::now());
      }
      Connection& c = connections.emplace_back();
      c.client_fd = fd;
      try {
        c.upstream_fd = LoopbackSocket(upstream_port_, /*listen_on_it=*/false);
      } catch (const std::runtime_error&) {
        connections.pop_back();  // the broker is down: the client sees a closed connection
      }
    }
  }
}

}  // namespace chat::testing
