// Transport helpers that do not depend on the MQTT library.
#include "chat/client/transport.h"

#include <utility>

namespace chat::client {

std::string_view ConnackMeaning(int code) {
  switch (code) {
    case 0: return "connection accepted";
    case 1: return "unacceptable protocol version";
    case 2: return "client identifier rejected";
    case 3: return "server unavailable";
    case 4: return "bad user name or password";
    case 5: return "not authorized";
    default: return "unknown CONNACK return code";
  }
}

ConnectResult ConnectResult::Failed(Outcome outcome, std::string message, int connack_code) {
  Status::Code code = Status::Code::kFailed;
  switch (outcome) {
    case Outcome::kRefused:
    case Outcome::kSubscriptionRefused: code = Status::Code::kRefused; break;
    case Outcome::kTimedOut: code = Status::Code::kTimedOut; break;
    case Outcome::kInvalidArgument: code = Status::Code::kInvalidArgument; break;
    case Outcome::kUnreachable:
    case Outcome::kConnected: code = Status::Code::kFailed; break;
  }
  ConnectResult result;
  result.status = Status::Error(code, std::move(message));
  result.outcome = outcome;
  result.connack_code = connack_code;
  return result;
}

}  // namespace chat::client
