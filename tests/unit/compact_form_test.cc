// The compact forms (docs/PROTOCOL.md section 6): each array expands into the
// object it stands for, and nothing else is taken for one.
#include "chat/compact_form.h"

#include <gtest/gtest.h>

namespace chat {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

json Expanded(const char* text) {
  std::string error;
  std::optional<json> object = compact::Expand(json::parse(text), error);
  EXPECT_TRUE(object.has_value()) << text << ": " << error;
  EXPECT_EQ(error, "");
  return object.value_or(json());
}

std::string ErrorOf(const char* text) {
  std::string error;
  EXPECT_FALSE(compact::Expand(json::parse(text), error).has_value()) << text;
  return error;
}

TEST(CompactForm, EachFormExpandsIntoItsDocumentedObject) {
  EXPECT_EQ(Expanded(R"(["send","c1","m1","hi"])"),
            json::parse(R"({"type":"send","conv":"c1","cmid":"m1","body":"hi"})"));
  EXPECT_EQ(Expanded(R"(["delivered","c1",4])"),
            json::parse(R"({"type":"delivered","conv":"c1","seq":4})"));
  EXPECT_EQ(Expanded(R"(["read","c1",3])"), json::parse(R"({"type":"read","conv":"c1","seq":3})"));
  EXPECT_EQ(
      Expanded(R"(["msg",42,1700000000123,"alice","hi"])"),
      json::parse(R"({"type":"msg","seq":42,"ts":1700000000123,"from":"alice","body":"hi"})"));
  EXPECT_EQ(Expanded(R"(["accepted","m1",42,1700000000123])"),
            json::parse(R"({"type":"accepted","cmid":"m1","seq":42,"ts":1700000000123})"));
  EXPECT_EQ(Expanded(R"(["receipt","bob",44,41])"),
            json::parse(R"({"type":"receipt","user":"bob","delivered":44,"read":41})"));
}

TEST(CompactForm, MissingValuesAreLeftOutAndExtraOnesIgnored) {
  EXPECT_EQ(Expanded(R"(["send","c1"])"), json::parse(R"({"type":"send","conv":"c1"})"));
  EXPECT_EQ(Expanded(R"(["delivered","c1",4,"later",{"x":1}])"),
            json::parse(R"({"type":"delivered","conv":"c1","seq":4})"));
  EXPECT_EQ(Expanded(R"(["msg",null,2,3,4])")["seq"], nullptr)
      << "values are taken as they are; the object's reader checks them";
}

TEST(CompactForm, AnOrderedObjectKeepsTheFormsOrder) {
  std::string error;
  auto object = compact::Expand(ordered_json::parse(R"(["msg",1,2,"a","b"])"), error);
  ASSERT_TRUE(object.has_value()) << error;
  EXPECT_EQ(object->dump(), R"({"type":"msg","seq":1,"ts":2,"from":"a","body":"b"})");
}

TEST(CompactForm, OnlyArraysOfATypeWithACompactFormExpand) {
  EXPECT_NE(ErrorOf("[]").find("start with its type"), std::string::npos);
  EXPECT_NE(ErrorOf("[1,2]").find("start with its type"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"type":"send"})").find("start with its type"), std::string::npos);
  EXPECT_NE(ErrorOf(R"(["typing","c1"])").find("'typing' has no compact"), std::string::npos);
  EXPECT_NE(ErrorOf(R"(["group.create","x"])").find("no compact"), std::string::npos);
  std::string shown = ErrorOf(("[\"" + std::string(100, 'x') + "\"]").c_str());
  EXPECT_LT(shown.size(), 100u) << "a long type is cut: " << shown;
  EXPECT_TRUE(compact::FieldsOf("conv.new").empty());
  EXPECT_EQ(compact::FieldsOf("accepted").size(), 3u);
}

}  // namespace
}  // namespace chat
