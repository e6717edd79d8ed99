// JSON text written without a tree (chat/json_writer.h).
#include "chat/json_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

namespace chat {
namespace {

std::string JsonString(std::string_view value) {
  std::string out;
  AppendJsonString(out, value);
  return out;
}

std::string NlohmannText(const std::string& value) {
  return nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

TEST(JsonWriter, StringsEscapeQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonString("plain"), "\"plain\"");
  EXPECT_EQ(JsonString(""), "\"\"");
  EXPECT_EQ(JsonString("a\"b\\c/d"), R"("a\"b\\c/d")");
  EXPECT_EQ(JsonString("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(JsonString(std::string("\0\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\x7f\"");
  EXPECT_EQ(JsonString("h\xc3\xa9 \xf0\x9f\x98\x80"), "\"h\xc3\xa9 \xf0\x9f\x98\x80\"");
}

TEST(JsonWriter, InvalidUtf8BecomesTheReplacementCharacter) {
  const std::string text = JsonString(
      "a\xff"
      "b");
  EXPECT_EQ(nlohmann::json::parse(text).get<std::string>(),
            "a\xef\xbf\xbd"
            "b");
}

// The same text as nlohmann::json's, chatd's other encoder, for 20,000
// random strings of bytes, valid UTF-8 or not.
TEST(JsonWriter, StringsMatchNlohmannOnRandomBytes) {
  const std::string pieces[] = {"a",
                                "Z",
                                " ",
                                "\"",
                                "\\",
                                "/",
                                "\n",
                                "\t",
                                std::string(1, '\0'),
                                "\x01",
                                "\x1f",
                                "\x7f",
                                "\xc3\xa9",
                                "\xe2\x82\xac",
                                "\xf0\x9f\x98\x80",
                                "\xff",
                                "\xc3",
                                "\xed\xa0\x80"};
  std::mt19937 rng(7);
  for (int round = 0; round < 20000; ++round) {
    std::string value;
    const int length = static_cast<int>(rng() % 12);
    for (int i = 0; i < length; ++i) value += pieces[rng() % std::size(pieces)];
    ASSERT_EQ(JsonString(value), NlohmannText(value)) << value;
  }
}

TEST(JsonWriter, ObjectsKeepTheOrderOfTheirMembers) {
  JsonObjectWriter writer;
  writer.String("type", "msg").Integer("seq", -42).Bool("dup", false).Raw("event", R"({"a":[1]})");
  EXPECT_EQ(writer.Finish(), R"({"type":"msg","seq":-42,"dup":false,"event":{"a":[1]}})");
  EXPECT_EQ(writer.Finish(), "{}");  // the writer starts over
  EXPECT_EQ(JsonObjectWriter().Integer("max", INT64_MAX).Finish(),
            R"({"max":9223372036854775807})");
}

TEST(JsonWriter, ArraysJoinTheirValues) {
  JsonArrayWriter array;
  EXPECT_TRUE(array.empty());
  EXPECT_EQ(array.Finish(), "[]");
  array.Raw("1").Raw(R"({"b":true})").Raw(JsonString("x"));
  EXPECT_FALSE(array.empty());
  EXPECT_EQ(array.Finish(), R"([1,{"b":true},"x"])");
  EXPECT_EQ(JsonArrayWriter().String("msg").Integer(-7).String("a\"b").Finish(),
            R"(["msg",-7,"a\"b"])");
}

}  // namespace
}  // namespace chat
