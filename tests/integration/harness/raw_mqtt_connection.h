// A hand-made MQTT 3.1.1 or 5 connection on a plain socket, for what a
// well-behaved client library will not do: vanish without DISCONNECT, fall
// silent past its keepalive, publish retained messages, connect from another
// loopback address, show a PUBACK's reason code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace chat::testing {

// RawMqttConnection's options; outside the class for the default argument.
struct RawMqttOptions {
  int protocol_level = 4;           // 4: MQTT 3.1.1, 5: MQTT 5 (no properties sent)
  std::string source_address = "";  // a local address to connect from, e.g. 127.0.0.2
};

// A PUBLISH the broker sent.
struct RawPublish {
  std::string topic;
  std::string payload;
};

// One TCP connection to 127.0.0.1:port. Sends only what the test asks for:
// no PINGREQ, no DISCONNECT, no acknowledgements (the broker's own publishes
// are expected at QoS 0). Incoming packets are read only by Connect and
// AwaitPuback/AwaitPublishes, which keep the PUBLISHes they pass. Closes the
// socket (without DISCONNECT) when destroyed. Not thread-safe.
class RawMqttConnection {
 public:
  // Throws std::runtime_error when the TCP connection cannot be made.
  explicit RawMqttConnection(int port, RawMqttOptions options = {});
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
  // Sends a QoS 1 PUBLISH with `packet_id` without waiting for the PUBACK.
  bool PublishQos1(const std::string& topic, const std::string& payload, uint16_t packet_id);
  // Reads until the PUBACK of `packet_id` and returns its reason code (0 for
  // success, also when an MQTT 3.1.1 PUBACK has none), or -1 when none came
  // within `timeout_ms` or the connection closed.
  int AwaitPuback(uint16_t packet_id, int timeout_ms);
  // Reads until `count` PUBLISHes were received in all, or `timeout_ms`
  // passed; returns every one received so far.
  const std::vector<RawPublish>& AwaitPublishes(std::size_t count, int timeout_ms);
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
  // Reads one packet: its first byte and the rest after the remaining
  // length. False on timeout, end of stream or error.
  bool ReadPacket(int timeout_ms, uint8_t& first_byte, std::string& body);
  bool ReadExactly(char* out, std::size_t size, int timeout_ms);
  // Keeps a PUBLISH the broker sent.
  void Keep(uint8_t first_byte, const std::string& body);

  RawMqttOptions options_;
  int fd_ = -1;
  std::vector<RawPublish> received_;
};

}  // namespace chat::testing
