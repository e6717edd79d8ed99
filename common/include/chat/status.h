// The one convention for expected failures in every component: a function
// that can fail for a reason its caller must handle (bad input, a refused
// connection, a missing file) returns a Status, or a StatusOr<T> when it also
// produces a value. Exceptions are left for the truly exceptional (a broken
// database engine, StoreFailure in chat/database.h), caught at the edge of
// each thread; a file that throws says why. Protocol rejections that go back
// to a device carry their wire code (chat/protocol.h ErrorCode) instead.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace chat {

// Ok, or a code and a human-readable message. Cheap to copy; never thrown.
class Status {
 public:
  enum class Code {
    kOk,
    kInvalidArgument,  // the caller passed an id, body, option or file content that is not allowed
    kNotConnected,     // there is no live connection to hand the command to
    kTimedOut,         // the other side did not answer within the allotted time
    kRefused,          // the other side refused (a connection, a subscription)
    kFailed,           // an engine, library or system call reported a failure
    kNotFound,         // what was named does not exist
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(Code code, std::string message) { return Status(code, std::move(message)); }
  static Status InvalidArgument(std::string message) {
    return Status(Code::kInvalidArgument, std::move(message));
  }
  static Status NotFound(std::string message) {
    return Status(Code::kNotFound, std::move(message));
  }
  static Status Failed(std::string message) { return Status(Code::kFailed, std::move(message)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// A value, or the Status that says why there is none.
template <typename T>
class StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}         // NOLINT: implicit, like absl::StatusOr
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "a StatusOr without a value needs an error");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // Only when ok().
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace chat
