// The counting relay of the wire scenario: poll() over a handful of socket pairs.
#include "wire_relay.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string_view>

namespace bench {

namespace {

constexpr std::size_t kReadBytes = 64 * 1024;
constexpr std::size_t kMaxConnectBytes = 64 * 1024;  // CONNECTs longer than this stay "?"
constexpr int kPollMs = 20;

void AddTo(DirectionTally& a, const DirectionTally& b, int sign) {
  auto add = [sign](uint64_t& x, uint64_t y) { x = sign > 0 ? x + y : x - y; };
  add(a.bytes, b.bytes);
  add(a.body_copies, b.body_copies);
  for (std::size_t t = 0; t < a.by_type.size(); ++t) {
    add(a.by_type[t].packets, b.by_type[t].packets);
    add(a.by_type[t].bytes, b.by_type[t].bytes);
  }
}

int Fail(const char* what) {
  throw std::runtime_error(std::string("wire relay: ") + what + ": " + std::strerror(errno));
}

void SetNoDelay(int fd) {
  int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return addr;
}

// The client id of a CONNECT's variable header and payload (MQTT 3.1.1 or 5).
std::string ClientIdOf(std::string_view body) {
  auto u16 = [&](std::size_t at) {
    return static_cast<std::size_t>(static_cast<unsigned char>(body[at]) << 8 |
                                    static_cast<unsigned char>(body[at + 1]));
  };
  if (body.size() < 2) return "?";
  std::size_t at = 2 + u16(0);  // protocol name
  if (body.size() < at + 4) return "?";
  int level = static_cast<unsigned char>(body[at]);
  at += 4;  // level, flags, keep alive
  if (level == 5) {
    std::size_t length = 0, shift = 0;
    while (at < body.size() && shift <= 21) {
      auto b = static_cast<unsigned char>(body[at++]);
      length |= static_cast<std::size_t>(b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) == 0) break;
    }
    at += length;
  }
  if (body.size() < at + 2 || body.size() < at + 2 + u16(at)) return "?";
  return std::string(body.substr(at + 2, u16(at)));
}

}  // namespace

std::string MqttPacketName(int type) {
  switch (type) {
    case kConnect: return "CONNECT";
    case kConnack: return "CONNACK";
    case kPublish: return "PUBLISH";
    case kPuback: return "PUBACK";
    case kSubscribe: return "SUBSCRIBE";
    case kSuback: return "SUBACK";
    case kPingreq: return "PINGREQ";
    case kPingresp: return "PINGRESP";
    case kDisconnect: return "DISCONNECT";
    default: return "type " + std::to_string(type);
  }
}

LegTally& operator+=(LegTally& a, const LegTally& b) {
  AddTo(a.up, b.up, 1);
  AddTo(a.down, b.down, 1);
  a.connections += b.connections;
  return a;
}

LegTally Minus(const LegTally& a, const LegTally& b) {
  LegTally out = a;
  AddTo(out.up, b.up, -1);
  AddTo(out.down, b.down, -1);
  out.connections -= b.connections;
  return out;
}

LegTally SumOf(const WireTallies& tallies) {
  LegTally sum;
  for (const auto& [id, tally] : tallies) sum += tally;
  return sum;
}

// One direction of a connection: its bytes in transit and the state of the
// MQTT fixed-header parser and of the marker search over its stream.
struct WireRelay::Pipe {
  int from = -1, to = -1;
  bool up = false;  // device -> broker
  std::string buffer;
  std::size_t offset = 0;
  bool eof = false, shut = false;
  // Parser: the first byte, then the remaining length (1-4 bytes), then the rest.
  int stage = 0;  // 0 type, 1 length, 2 rest
  int type = 0;
  uint64_t remaining = 0, packet_bytes = 0;
  int shift = 0;
  std::string connect;  // the CONNECT being read, to name the connection
  std::string carry;    // the last marker.size() - 1 bytes seen
};

struct WireRelay::Connection {
  int client_fd = -1, broker_fd = -1;
  Pipe up, down;
  std::string client_id = "?";
  LegTally tally;
  ~Connection() {
    if (client_fd >= 0) ::close(client_fd);
    if (broker_fd >= 0) ::close(broker_fd);
  }
};

WireRelay::WireRelay(int broker_port, std::string body_marker)
    : broker_port_(broker_port), marker_(std::move(body_marker)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd_ < 0) Fail("socket");
  sockaddr_in addr = Loopback(0);
  socklen_t length = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    ::close(listen_fd_);
    Fail("listen");
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Run(); });
}

WireRelay::~WireRelay() {
  stop_ = true;
  thread_.join();
  ::close(listen_fd_);
}

WireTallies WireRelay::Snapshot() const {
  std::lock_guard lock(mu_);
  WireTallies out;
  for (const auto* list : {&open_, &closed_}) {
    for (const auto& c : *list) out[c->client_id] += c->tally;
  }
  return out;
}

void WireRelay::Run() {
  std::vector<pollfd> fds;
  while (!stop_) {
    fds.assign(1, pollfd{listen_fd_, POLLIN, 0});
    for (const auto& c : open_) {
      short client = 0, broker = 0;
      if (!c->up.eof && c->up.buffer.empty()) client |= POLLIN;
      if (!c->up.buffer.empty()) broker |= POLLOUT;
      if (!c->down.eof && c->down.buffer.empty()) broker |= POLLIN;
      if (!c->down.buffer.empty()) client |= POLLOUT;
      // An fd of -1 is skipped: a hung-up socket with nothing to wait for would spin.
      fds.push_back({client ? c->client_fd : -1, client, 0});
      fds.push_back({broker ? c->broker_fd : -1, broker, 0});
    }
    if (::poll(fds.data(), fds.size(), kPollMs) < 0 && errno != EINTR) {
      // Not expected with valid descriptors; the devices then see their connections stall.
      std::cerr << "wire relay: poll failed: " << std::strerror(errno) << "; relay stopped\n";
      return;
    }
    if (fds[0].revents & POLLIN) Accept();
    for (std::size_t i = 0; i < open_.size() && 1 + 2 * i + 1 < fds.size();) {
      Connection& c = *open_[i];
      short client = fds[1 + 2 * i].revents, broker = fds[2 + 2 * i].revents;
      constexpr short kIn = POLLIN | POLLHUP | POLLERR;
      bool alive = Pump(c, c.up, client & kIn) && Pump(c, c.down, broker & kIn);
      if (alive && !(c.up.shut && c.down.shut)) {
        ++i;
        continue;
      }
      std::lock_guard lock(mu_);
      closed_.push_back(std::move(open_[i]));
      open_.erase(open_.begin() + static_cast<std::ptrdiff_t>(i));
      fds.erase(fds.begin() + 1 + 2 * static_cast<std::ptrdiff_t>(i),
                fds.begin() + 3 + 2 * static_cast<std::ptrdiff_t>(i));
      // The sockets close now; the tallies stay.
      ::close(closed_.back()->client_fd);
      ::close(closed_.back()->broker_fd);
      closed_.back()->client_fd = closed_.back()->broker_fd = -1;
    }
  }
}

void WireRelay::Accept() {
  while (true) {
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (client < 0) return;  // EAGAIN, or a connection that went away meanwhile
    auto c = std::make_unique<Connection>();
    c->client_fd = client;
    c->broker_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in broker = Loopback(broker_port_);
    if (c->broker_fd < 0 ||
        ::connect(c->broker_fd, reinterpret_cast<sockaddr*>(&broker), sizeof broker) != 0) {
      continue;  // the device sees its connection closed, as with a broker down
    }
    SetNonBlocking(c->broker_fd);
    SetNoDelay(c->client_fd);
    SetNoDelay(c->broker_fd);
    c->up.from = c->down.to = c->client_fd;
    c->up.to = c->down.from = c->broker_fd;
    c->up.up = true;
    c->tally.connections = 1;
    std::lock_guard lock(mu_);
    open_.push_back(std::move(c));
  }
}

void WireRelay::Count(Connection& c, Pipe& pipe, std::string_view chunk) {
  std::lock_guard lock(mu_);
  DirectionTally& tally = pipe.up ? c.tally.up : c.tally.down;
  tally.bytes += chunk.size();
  // The fixed headers: a packet is tallied when its last byte passes.
  for (std::size_t i = 0; i < chunk.size();) {
    auto b = static_cast<unsigned char>(chunk[i]);
    if (pipe.stage == 0) {
      pipe.type = b >> 4;
      pipe.remaining = 0;
      pipe.shift = 0;
      pipe.packet_bytes = 1;
      pipe.connect.clear();
      pipe.stage = 1;
      ++i;
    } else if (pipe.stage == 1) {
      pipe.remaining |= static_cast<uint64_t>(b & 0x7f) << pipe.shift;
      pipe.shift += 7;
      ++pipe.packet_bytes;
      ++i;
      if ((b & 0x80) == 0) {
        pipe.stage = 2;
        pipe.packet_bytes += pipe.remaining;
      }
    } else {
      std::size_t take = std::min<uint64_t>(pipe.remaining, chunk.size() - i);
      if (pipe.up && pipe.type == kConnect && pipe.connect.size() + take <= kMaxConnectBytes) {
        pipe.connect.append(chunk.substr(i, take));
      }
      pipe.remaining -= take;
      i += take;
    }
    if (pipe.stage == 2 && pipe.remaining == 0) {
      PacketTally& t = tally.by_type[static_cast<std::size_t>(pipe.type)];
      ++t.packets;
      t.bytes += pipe.packet_bytes;
      pipe.stage = 0;
      if (pipe.up && pipe.type == kConnect) c.client_id = ClientIdOf(pipe.connect);
    }
  }
  if (marker_.empty()) return;
  std::string stream = pipe.carry;
  stream.append(chunk);
  for (auto at = stream.find(marker_); at != std::string::npos;
       at = stream.find(marker_, at + marker_.size())) {
    ++tally.body_copies;
  }
  std::size_t keep = std::min(stream.size(), marker_.size() - 1);
  pipe.carry = stream.substr(stream.size() - keep);
}

bool WireRelay::Pump(Connection& c, Pipe& pipe, bool readable) {
  if (readable && !pipe.eof && pipe.buffer.empty()) {
    char data[kReadBytes];
    ssize_t n = ::read(pipe.from, data, sizeof data);
    if (n == 0) {
      pipe.eof = true;
    } else if (n < 0) {
      if (errno != EAGAIN && errno != EINTR) return false;
    } else {
      pipe.buffer.assign(data, static_cast<std::size_t>(n));
      pipe.offset = 0;
      Count(c, pipe, pipe.buffer);
    }
  }
  while (pipe.offset < pipe.buffer.size()) {
    ssize_t n = ::send(pipe.to, pipe.buffer.data() + pipe.offset, pipe.buffer.size() - pipe.offset,
                       MSG_NOSIGNAL);
    if (n > 0) {
      pipe.offset += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      break;
    } else {
      return false;
    }
  }
  if (pipe.offset == pipe.buffer.size()) {
    pipe.buffer.clear();
    pipe.offset = 0;
  }
  if (pipe.eof && pipe.buffer.empty() && !pipe.shut) {
    ::shutdown(pipe.to, SHUT_WR);
    pipe.shut = true;
  }
  return true;
}

}  // namespace bench
