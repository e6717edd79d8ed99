// The protocol's vocabulary (chat/protocol.h) and the Status convention (chat/status.h).
#include "chat/protocol.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "chat/status.h"

namespace chat::protocol {
namespace {

TEST(Protocol, EveryErrorCodeHasOneDistinctWireNameThatParsesBack) {
  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(ErrorCode::kRateLimited); ++i) {
    auto code = static_cast<ErrorCode>(i);
    std::string_view name = ErrorCodeName(code);
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_EQ(ParseErrorCode(name), code) << name;
  }
  EXPECT_EQ(ParseErrorCode("no_such_code"), std::nullopt);
}

TEST(Protocol, OnlyInternalUnavailableAndRateLimitedAreRetryable) {
  EXPECT_TRUE(IsRetryable(ErrorCode::kInternal));
  EXPECT_TRUE(IsRetryable(ErrorCode::kUnavailable));
  EXPECT_TRUE(IsRetryable(ErrorCode::kRateLimited));
  EXPECT_FALSE(IsRetryable(ErrorCode::kNotMember));
  EXPECT_FALSE(IsRetryable(ErrorCode::kPayloadTooLarge));
}

TEST(Protocol, UnavailableCarriesRetryAfterAndNoIds) {
  EXPECT_EQ(EncodeError({ErrorCode::kUnavailable, "chat service unavailable", "", "", std::nullopt},
                        1000),
            R"({"type":"error","code":"unavailable","message":"chat service unavailable",)"
            R"("retry_after_ms":1000})");
}

TEST(Status, AStatusOrHoldsAValueOrTheReasonForNone) {
  StatusOr<int> value = 7;
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 7);
  StatusOr<int> none = Status::InvalidArgument("port: expected 1..65535");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(none.status().message(), "port: expected 1..65535");
}

}  // namespace
}  // namespace chat::protocol
