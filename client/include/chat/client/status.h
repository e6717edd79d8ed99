// Error values of the client library: expected failures are returned, not thrown.
#pragma once

#include <string>
#include <utility>

namespace chat::client {

// The outcome of a client operation: ok, or a code and a human-readable message.
// Cheap to copy; never thrown.
class Status {
 public:
  enum class Code {
    kOk,
    kInvalidArgument,  // the caller passed an id, body or option the protocol forbids
    kNotConnected,     // there is no live connection to hand the command to
    kTimedOut,         // the broker did not answer within the allotted time
    kRefused,          // the broker refused the connection or a subscription
    kFailed,           // the broker or the MQTT library reported a failure
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(Code code, std::string message) { return Status(code, std::move(message)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace chat::client
