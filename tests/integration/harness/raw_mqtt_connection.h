// A hand-made MQTT 3.1.1 connection on a plain socket, for what a well-behaved
// client library will not do: vanish without DISCONNECT, fall silent past
// its keepalive, publish retained messages.
#pragma once

#include <cstdint>
#include <string>

namespace chat::testing {

// One TCP connection to 127.0.0.1:port. Sends only what the test asks for:
// no PINGREQ, no DISCONNECT, no acknowledgements (publish at QoS 0 only).
// Incoming packets other than CONNACK are never read. Closes the socket
// (without DISCONNECT) when destroyed. Not thread-safe.
class RawMqttConnection {
 public:
  // Throws std::runtime_error when the TCP connection cannot be made.
  explicit RawMqttConnection(int port);
  ~RawMqttConnection();
  RawMqttConnection(const RawMqttConnection&) = delete;
  RawMqttConnection& operator=(const RawMqttConnection&) = delete;

  // Sends CONNECT (clean session, no will) and waits up to 10 s for the
  // CONNACK. Returns its return code (0 accepted, 5 not authorized), or -1
  // when none arrived.
  int Connect(const std::string& client_id, const std::string& username,
              const std::string& password, uint16_t keepalive_s);
  // Sends the same CONNECT without waiting for the answer. Returns false when
  // the socket refused the bytes.
  bool SendConnect(const std::string& client_id, const std::string& username,
                   const std::string& password, uint16_t keepalive_s);
  // Sends a QoS 0 PUBLISH. Returns false when the socket refused the bytes.
  bool Publish(const std::string& topic, const std::string& payload, bool retain);
  // Sends only the start of a PUBLISH that declares `remaining_length` bytes:
  // its fixed header and topic, none of the payload. Returns false when the
  // socket refused the bytes.
  bool SendPublishHeader(const std::string& topic, uint32_t remaining_length);
  // Waits up to `timeout_ms` for the broker to close the connection; true
  // when it did (end of stream or reset), reading and discarding anything else.
  bool WaitForClose(int timeout_ms);
  // Closes the socket at once: the broker sees the connection drop, with no
  // DISCONNECT packet. Idempotent.
  void Close();

 private:
  bool SendAll(const std::string& bytes);

  int fd_ = -1;
};

}  // namespace chat::testing
