// The tree-less JSON object reader behind token claims (chat/json_object.h).
#include "chat/json_object.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>

namespace chat {
namespace {

TEST(JsonObject, ReadsTheStringsAndIntegersOfAFlatObject) {
  auto object = JsonObject::Parse(
      R"( {"sub":"alice","dev":"phone","iat":1700000000,"exp":-5,"ok":true,"x":null} )");
  ASSERT_TRUE(object);
  EXPECT_EQ(object->size(), 6u);
  ASSERT_TRUE(object->String("sub"));
  EXPECT_EQ(*object->String("sub"), "alice");
  EXPECT_EQ(*object->String("dev"), "phone");
  EXPECT_EQ(object->Integer("iat"), 1700000000);
  EXPECT_EQ(object->Integer("exp"), -5);
  EXPECT_EQ(object->String("iat"), nullptr);        // an integer is no string
  EXPECT_EQ(object->Integer("sub"), std::nullopt);  // and a string no integer
  EXPECT_EQ(object->String("ok"), nullptr);
  EXPECT_EQ(object->String("missing"), nullptr);
  EXPECT_EQ(object->Integer("missing"), std::nullopt);
}

TEST(JsonObject, AnEmptyObjectHasNoMembers) {
  auto object = JsonObject::Parse("{}");
  ASSERT_TRUE(object);
  EXPECT_EQ(object->size(), 0u);
}

TEST(JsonObject, DecodesEscapesAndSurrogatePairs) {
  auto object = JsonObject::Parse(
      R"({"a":"q\"b\\s\/\b\f\n\r\t","e":"\u00e9\u20ac\ud83d\ude00","z":"\u0000","k\u0065y":1})");
  ASSERT_TRUE(object);
  EXPECT_EQ(*object->String("a"), "q\"b\\s/\b\f\n\r\t");
  EXPECT_EQ(*object->String("e"), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  EXPECT_EQ(*object->String("z"), std::string(1, '\0'));
  EXPECT_EQ(object->Integer("key"), 1);  // names are decoded too
}

TEST(JsonObject, NumbersWithFractionExponentOrBeyondInt64AreNotIntegers) {
  auto object =
      JsonObject::Parse(R"({"f":1.5,"e":1e3,"big":9223372036854775808,"max":9223372036854775807,)"
                        R"("min":-9223372036854775808,"zero":-0,"tiny":1e-400})");
  ASSERT_TRUE(object);
  EXPECT_EQ(object->Integer("f"), std::nullopt);
  EXPECT_EQ(object->Integer("e"), std::nullopt);
  EXPECT_EQ(object->Integer("big"), std::nullopt);
  EXPECT_EQ(object->Integer("max"), INT64_MAX);
  EXPECT_EQ(object->Integer("min"), INT64_MIN);
  EXPECT_EQ(object->Integer("zero"), 0);
  EXPECT_EQ(object->Integer("tiny"), std::nullopt);
}

TEST(JsonObject, NestedValuesAreCheckedAndSkipped) {
  auto object = JsonObject::Parse(R"({"aud":["a",{"b":[1,2.5,null]}],"sub":"alice","o":{}})");
  ASSERT_TRUE(object);
  EXPECT_EQ(object->size(), 3u);
  EXPECT_EQ(object->String("aud"), nullptr);
  EXPECT_EQ(*object->String("sub"), "alice");
  EXPECT_FALSE(JsonObject::Parse(R"({"aud":["a",}],"sub":"alice"})"));
}

TEST(JsonObject, DuplicateNamesAreRefused) {
  EXPECT_FALSE(JsonObject::Parse(R"({"alg":"none","alg":"HS256"})"));
  EXPECT_FALSE(JsonObject::Parse(R"({"alg":"none","\u0061lg":"HS256"})"));
  EXPECT_TRUE(JsonObject::Parse(R"({"o":{"a":1,"a":2}})"));  // only members of the top level
}

TEST(JsonObject, MoreTopLevelMembersThanTheLimitAreRefused) {
  std::string text = "{";
  for (std::size_t i = 0; i < JsonObject::kMaxMembers; ++i) {
    text += (i ? ",\"m" : "\"m") + std::to_string(i) + "\":" + std::to_string(i);
  }
  EXPECT_TRUE(JsonObject::Parse(text + "}"));
  EXPECT_FALSE(JsonObject::Parse(text + ",\"one_more\":1}"));
}

TEST(JsonObject, NestingBeyondTheLimitIsRefused) {
  const int depth = JsonObject::kMaxDepth;  // the object itself is depth 1
  std::string inside_limit =
      "{\"a\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
  std::string beyond = "{\"a\":" + std::string(depth, '[') + std::string(depth, ']') + "}";
  EXPECT_TRUE(JsonObject::Parse(inside_limit));
  EXPECT_FALSE(JsonObject::Parse(beyond));
  EXPECT_FALSE(JsonObject::Parse("{\"a\":" + std::string(100000, '[')));
}

TEST(JsonObject, MalformedTextIsRefused) {
  const std::string cases[] = {
      "",
      " ",
      "[]",
      "\"a\"",
      "1",
      "{",
      "}",
      "{\"a\"}",
      "{\"a\" 1}",
      "{\"a\":}",
      "{\"a\":1,}",
      "{,}",
      "{\"a\":1 \"b\":2}",
      "{a:1}",
      "{'a':1}",
      "{\"a\":01}",
      "{\"a\":-}",
      "{\"a\":1.}",
      "{\"a\":.5}",
      "{\"a\":1e}",
      "{\"a\":+1}",
      "{\"a\":1e400}",
      "{\"a\":-1E+400}",
      "{\"a\":1" + std::string(400, '0') + "}",
      "\xef\xbb\xbf{}",
      "{\"a\":tru}",
      "{\"a\":True}",
      "{\"a\":nul}",
      "{\"a\":\"x}",
      "{\"a\":\"\x01\"}",
      "{\"a\":\"tab\there\"}",
      "{\"a\":\"\\x\"}",
      "{\"a\":\"\\u12\"}",
      "{\"a\":\"\\u12g4\"}",
      "{\"a\":\"\\ud83d\"}",
      "{\"a\":\"\\ud83d\\u0041\"}",
      "{\"a\":\"\\ude00\"}",
      "{\"a\":\"\xff\"}",
      "{\"a\":\"\xc3\"}",
      "{\"a\":\"\xed\xa0\x80\"}",
      "{\"a\":1}x",
      "{\"a\":1}{}",
      std::string("{\"a\":1}\0", 8),
  };
  for (const std::string& text : cases) EXPECT_FALSE(JsonObject::Parse(text)) << text;
}

// Top-level member names in order, as nlohmann's SAX parser reports them.
struct TopLevelNames : nlohmann::json_sax<nlohmann::json> {
  std::vector<std::string> names;
  int depth = 0;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return ++depth, true; }
  bool key(string_t& name) override {
    if (depth == 1) names.push_back(name);
    return true;
  }
  bool end_object() override { return --depth, true; }
  bool start_array(std::size_t) override { return ++depth, true; }
  bool end_array() override { return --depth, true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }
};

bool HasDuplicateTopLevelName(const std::string& text) {
  TopLevelNames sax;
  nlohmann::json::sax_parse(text, &sax);
  return std::set<std::string>(sax.names.begin(), sax.names.end()).size() < sax.names.size();
}

// Differential check against nlohmann::json, the reader the token check used
// before: on 20,000 cut and mutated claim objects the two agree on what is an
// object and on every string and integer in it. The only difference the
// mutations can reach is that duplicate names are refused here (the depth,
// member and byte-order-mark limits are tested above).
TEST(JsonObject, AgreesWithAFullJsonParserOnMutatedClaims) {
  const std::string seeds[] = {
      R"({"alg":"HS256","typ":"JWT"})",
      R"({"sub":"alice","dev":"phone","jti":"0123abcd","kind":"device","iat":1700000000,"exp":1700003600})",
      R"({ "sub" : "b\u00e9b" , "n" : [1, {"x": -0.5e-3}], "t": true, "f": false, "z": null, "e": "\n\ud83d\ude00" })",
      R"({"big":18446744073709551615,"neg":-9223372036854775808,"s":"\\\"/"})",
  };
  const std::string alphabet = "{}[]:,\"\\ \t\n-+.0123456789eEtrufalsn\x01\xc3\xa9\xff";
  std::mt19937 rng(20261124);
  int accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text = seeds[rng() % std::size(seeds)];
    const int mutations = 1 + static_cast<int>(rng() % 3);
    for (int m = 0; m < mutations && !text.empty(); ++m) {
      const std::size_t at = rng() % text.size();
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 4) {
        case 0: text[at] = c; break;
        case 1: text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c); break;
        case 2: text.erase(at, 1); break;
        case 3: text.resize(at); break;
      }
    }
    auto ours = JsonObject::Parse(text);
    auto theirs = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    const bool they_accept = theirs.is_object();
    if (!ours) {
      EXPECT_TRUE(!they_accept || HasDuplicateTopLevelName(text)) << text;
      continue;
    }
    ++accepted;
    ASSERT_TRUE(they_accept) << text;
    ASSERT_EQ(ours->size(), theirs.size()) << text;
    for (const auto& [name, value] : theirs.items()) {
      const std::string* string = ours->String(name);
      EXPECT_EQ(string != nullptr, value.is_string()) << text;
      if (string && value.is_string()) {
        EXPECT_EQ(*string, value.get<std::string>()) << text;
      }
      const bool fits_int64 =
          value.is_number_integer() &&
          (value.is_number_unsigned() ? value.get<uint64_t>() <= uint64_t{INT64_MAX} : true);
      EXPECT_EQ(ours->Integer(name).has_value(), fits_int64) << name << " in " << text;
      if (fits_int64) {
        EXPECT_EQ(ours->Integer(name), value.get<int64_t>()) << text;
      }
    }
  }
  EXPECT_GT(accepted, 1000);  // the mutations leave enough valid objects to compare
}

}  // namespace
}  // namespace chat
