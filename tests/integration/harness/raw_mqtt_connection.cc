// MQTT 3.1.1 packets written by hand (OASIS MQTT 3.1.1, sections 2 and 3).
#include "harness/raw_mqtt_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>

namespace chat::testing {

namespace {

constexpr uint8_t kConnect = 0x10;
constexpr uint8_t kConnack = 0x20;
constexpr uint8_t kPublish = 0x30;
constexpr uint8_t kRetainFlag = 0x01;
constexpr uint8_t kUsernameFlag = 0x80;
constexpr uint8_t kPasswordFlag = 0x40;
constexpr uint8_t kCleanSessionFlag = 0x02;
constexpr int kConnackTimeoutS = 10;

// A UTF-8 string field: two-byte big-endian length, then the bytes.
void AppendString(std::string& out, const std::string& text) {
  out.push_back(static_cast<char>((text.size() >> 8) & 0xFF));
  out.push_back(static_cast<char>(text.size() & 0xFF));
  out += text;
}

// Fixed header: the packet type byte and the variable-length remaining length.
std::string FixedHeader(uint8_t first_byte, std::size_t remaining_length) {
  std::string out(1, static_cast<char>(first_byte));
  do {
    uint8_t digit = remaining_length % 128;
    remaining_length /= 128;
    if (remaining_length > 0) digit |= 0x80;
    out.push_back(static_cast<char>(digit));
  } while (remaining_length > 0);
  return out;
}

std::string Packet(uint8_t first_byte, const std::string& body) {
  return FixedHeader(first_byte, body.size()) + body;
}

}  // namespace

RawMqttConnection::RawMqttConnection(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    Close();
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  timeval timeout{kConnackTimeoutS, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
}

RawMqttConnection::~RawMqttConnection() { Close(); }

int RawMqttConnection::Connect(const std::string& client_id, const std::string& username,
                               const std::string& password, uint16_t keepalive_s) {
  if (!SendConnect(client_id, username, password, keepalive_s)) return -1;
  unsigned char connack[4];
  std::size_t got = 0;
  while (got < sizeof(connack)) {
    ssize_t n = ::recv(fd_, connack + got, sizeof(connack) - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    got += static_cast<std::size_t>(n);
  }
  if (connack[0] != kConnack || connack[1] != 2) return -1;
  return connack[3];
}

bool RawMqttConnection::SendConnect(const std::string& client_id, const std::string& username,
                                    const std::string& password, uint16_t keepalive_s) {
  std::string body;
  AppendString(body, "MQTT");
  body.push_back(4);  // protocol level: 3.1.1
  body.push_back(static_cast<char>(kUsernameFlag | kPasswordFlag | kCleanSessionFlag));
  body.push_back(static_cast<char>(keepalive_s >> 8));
  body.push_back(static_cast<char>(keepalive_s & 0xFF));
  AppendString(body, client_id);
  AppendString(body, username);
  AppendString(body, password);
  return SendAll(Packet(kConnect, body));
}

bool RawMqttConnection::Publish(const std::string& topic, const std::string& payload, bool retain) {
  std::string body;
  AppendString(body, topic);
  body += payload;
  return SendAll(Packet(kPublish | (retain ? kRetainFlag : 0), body));
}

bool RawMqttConnection::SendPublishHeader(const std::string& topic, uint32_t remaining_length) {
  std::string out = FixedHeader(kPublish, remaining_length);
  AppendString(out, topic);
  return SendAll(out);
}

bool RawMqttConnection::WaitForClose(int timeout_ms) {
  pollfd waiting{fd_, POLLIN, 0};
  char discard[4096];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (fd_ >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    int ready = ::poll(&waiting, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    ssize_t n = ::recv(fd_, discard, sizeof(discard), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
  }
  return true;
}

void RawMqttConnection::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool RawMqttConnection::SendAll(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    if (fd_ < 0) return false;
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace chat::testing
