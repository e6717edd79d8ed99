// MQTT 3.1.1 and 5 packets written by hand (OASIS MQTT 3.1.1 and 5.0, sections 2 and 3).
#include "harness/raw_mqtt_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <utility>

namespace chat::testing {

namespace {

constexpr uint8_t kConnect = 0x10;
constexpr uint8_t kConnack = 0x20;
constexpr uint8_t kPublish = 0x30;
constexpr uint8_t kPuback = 0x40;
constexpr uint8_t kQos1Flag = 0x02;
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

RawMqttConnection::RawMqttConnection(int port, RawMqttOptions options)
    : options_(std::move(options)) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket() failed");
  if (!options_.source_address.empty()) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (::inet_pton(AF_INET, options_.source_address.c_str(), &local.sin_addr) != 1 ||
        ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
      Close();
      throw std::runtime_error("cannot bind to " + options_.source_address);
    }
  }
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
  uint8_t first_byte = 0;
  std::string body;
  if (!ReadPacket(kConnackTimeoutS * 1000, first_byte, body)) return -1;
  if (first_byte != kConnack || body.size() < 2) return -1;
  return static_cast<uint8_t>(body[1]);  // 3.1.1: return code; 5: reason code
}

bool RawMqttConnection::SendConnect(const std::string& client_id, const std::string& username,
                                    const std::string& password, uint16_t keepalive_s) {
  std::string body;
  AppendString(body, "MQTT");
  body.push_back(static_cast<char>(options_.protocol_level));
  body.push_back(static_cast<char>(kUsernameFlag | kPasswordFlag | kCleanSessionFlag));
  body.push_back(static_cast<char>(keepalive_s >> 8));
  body.push_back(static_cast<char>(keepalive_s & 0xFF));
  if (options_.protocol_level == 5) body.push_back(0);  // no properties
  AppendString(body, client_id);
  AppendString(body, username);
  AppendString(body, password);
  return SendAll(Packet(kConnect, body));
}

bool RawMqttConnection::Publish(const std::string& topic, const std::string& payload, bool retain) {
  std::string body;
  AppendString(body, topic);
  if (options_.protocol_level == 5) body.push_back(0);  // no properties
  body += payload;
  return SendAll(Packet(kPublish | (retain ? kRetainFlag : 0), body));
}

bool RawMqttConnection::PublishQos1(const std::string& topic, const std::string& payload,
                                    uint16_t packet_id) {
  std::string body;
  AppendString(body, topic);
  body.push_back(static_cast<char>(packet_id >> 8));
  body.push_back(static_cast<char>(packet_id & 0xFF));
  if (options_.protocol_level == 5) body.push_back(0);  // no properties
  body += payload;
  return SendAll(Packet(kPublish | kQos1Flag, body));
}

int RawMqttConnection::AwaitPuback(uint16_t packet_id, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  uint8_t first_byte = 0;
  std::string body;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !ReadPacket(static_cast<int>(left.count()), first_byte, body)) {
      return -1;
    }
    if ((first_byte & 0xF0) == kPuback && body.size() >= 2 &&
        ((static_cast<uint8_t>(body[0]) << 8) | static_cast<uint8_t>(body[1])) == packet_id) {
      return body.size() >= 3 ? static_cast<uint8_t>(body[2]) : 0;
    }
    Keep(first_byte, body);
  }
}

const std::vector<RawPublish>& RawMqttConnection::AwaitPublishes(std::size_t count,
                                                                 int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  uint8_t first_byte = 0;
  std::string body;
  while (received_.size() < count) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !ReadPacket(static_cast<int>(left.count()), first_byte, body)) break;
    Keep(first_byte, body);
  }
  return received_;
}

void RawMqttConnection::Keep(uint8_t first_byte, const std::string& body) {
  if ((first_byte & 0xF0) != kPublish || (first_byte & 0x06) != 0 || body.size() < 2) return;
  std::size_t topic_size = (static_cast<uint8_t>(body[0]) << 8) | static_cast<uint8_t>(body[1]);
  std::size_t at = 2 + topic_size;
  if (at > body.size()) return;
  if (options_.protocol_level == 5) {  // properties: a variable byte integer length, then them
    std::size_t length = 0;
    for (int shift = 0; at < body.size(); shift += 7) {
      uint8_t digit = static_cast<uint8_t>(body[at++]);
      length |= static_cast<std::size_t>(digit & 0x7F) << shift;
      if (!(digit & 0x80)) break;
    }
    at += length;
    if (at > body.size()) return;
  }
  received_.push_back({body.substr(2, topic_size), body.substr(at)});
}

bool RawMqttConnection::ReadExactly(char* out, std::size_t size, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::size_t got = 0;
  while (got < size) {
    if (fd_ < 0) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd waiting{fd_, POLLIN, 0};
    int ready = ::poll(&waiting, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    ssize_t n = ::recv(fd_, out + got, size - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<std::size_t>(n);
  }
  return true;
}

bool RawMqttConnection::ReadPacket(int timeout_ms, uint8_t& first_byte, std::string& body) {
  char byte = 0;
  if (!ReadExactly(&byte, 1, timeout_ms)) return false;
  first_byte = static_cast<uint8_t>(byte);
  std::size_t length = 0;
  for (int shift = 0; shift <= 21; shift += 7) {
    if (!ReadExactly(&byte, 1, timeout_ms)) return false;
    length |= static_cast<std::size_t>(byte & 0x7F) << shift;
    if (!(byte & 0x80)) break;
  }
  body.assign(length, '\0');
  return length == 0 || ReadExactly(body.data(), length, timeout_ms);
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
