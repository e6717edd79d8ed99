// The compact forms' field orders.
#include "chat/compact_form.h"

#include <array>

#include "chat/protocol.h"

namespace chat::compact {
namespace {

struct Form {
  std::string_view type;
  std::span<const std::string_view> fields;
};

constexpr std::array<std::string_view, 3> kSend{"conv", "cmid", "body"};
constexpr std::array<std::string_view, 2> kCursor{"conv", "seq"};
constexpr std::array<std::string_view, 4> kMsg{"seq", "ts", "from", "body"};
constexpr std::array<std::string_view, 3> kAccepted{"cmid", "seq", "ts"};
constexpr std::array<std::string_view, 3> kReceipt{"user", "delivered", "read"};

// Commands and events share the table: no name is both with other fields.
constexpr std::array<Form, 6> kForms{{
    {protocol::command::kSend, kSend},
    {protocol::command::kDelivered, kCursor},
    {protocol::command::kRead, kCursor},
    {protocol::event::kMsg, kMsg},
    {protocol::event::kAccepted, kAccepted},
    {protocol::event::kReceipt, kReceipt},
}};

}  // namespace

std::span<const std::string_view> FieldsOf(std::string_view type) {
  for (const Form& form : kForms) {
    if (form.type == type) return form.fields;
  }
  return {};
}

}  // namespace chat::compact
