#include "realtime/json_scanner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace th::realtime {
namespace {

bool valid(std::string_view text) {
  return scan_json(text).ok();
}

std::string refusal(std::string_view text) {
  auto scanned = scan_json(text);
  return scanned.ok() ? "accepted" : scanned.error().message();
}

std::string nested(int depth) {
  return std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']');
}

TEST(JsonScannerTest, AcceptsEveryKindOfValue) {
  EXPECT_TRUE(valid(R"({"a":[1,-0.5,2e10,3E-2,0],"b":"x","c":true,"d":false,"e":null})"));
  EXPECT_TRUE(valid(" \t\r\n{ \"a\" : [ ] , \"b\" : { } } \n"));
  EXPECT_TRUE(valid("\"top-level string\""));
  EXPECT_TRUE(valid("-12.5e+3"));
  EXPECT_TRUE(valid("null"));
}

TEST(JsonScannerTest, ReportsTheTypeAndExactBytesOfTheValue) {
  auto scanned = scan_json("  {\"a\": 1}  ");

  ASSERT_TRUE(scanned.ok());
  EXPECT_EQ(scanned->type(), JsonType::kObject);
  EXPECT_EQ(scanned->text(), "{\"a\": 1}");
}

TEST(JsonScannerTest, RefusesBrokenStructure) {
  for (const char* text : {"", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{a:1}", "{\"a\":1}}",
                           "{} {}", "[1 2]", "{'a':1}", "[", "]", "{\"a\"}"}) {
    EXPECT_FALSE(valid(text)) << text;
  }
}

TEST(JsonScannerTest, RefusesNumbersOutsideTheGrammar) {
  for (const char* text :
       {"[01]", "[+1]", "[1.]", "[.5]", "[1e]", "[-]", "[0x10]", "[NaN]", "[Infinity]", "[1e+]"}) {
    EXPECT_FALSE(valid(text)) << text;
  }
}

TEST(JsonScannerTest, RefusesMisspelledLiterals) {
  for (const char* text : {"[tru]", "[nul]", "[False]", "[truex]", "[nulll]"}) {
    EXPECT_FALSE(valid(text)) << text;
  }
}

TEST(JsonScannerTest, AcceptsEveryEscape) {
  EXPECT_TRUE(valid(R"(["\" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00"])"));
}

TEST(JsonScannerTest, RefusesBadEscapesNamingThem) {
  EXPECT_EQ(refusal(R"(["\x"])"), "invalid escape at byte 3");
  EXPECT_EQ(refusal(R"(["\u12"])"), "invalid \\u escape at byte 3");
  EXPECT_EQ(refusal(R"(["\u12g4"])"), "invalid \\u escape at byte 3");
  EXPECT_EQ(refusal(R"(["\ud800"])"), "unpaired surrogate escape at byte 8");
  EXPECT_EQ(refusal(R"(["\udc00"])"), "unpaired surrogate escape at byte 8");
  EXPECT_EQ(refusal(R"(["\ud800\u0041"])"), "unpaired surrogate escape at byte 8");
  EXPECT_FALSE(valid("[\"\\"));
}

TEST(JsonScannerTest, RefusesRawControlCharactersAndUnterminatedStrings) {
  EXPECT_EQ(refusal("[\"a\nb\"]"), "control character in a string at byte 3");
  EXPECT_EQ(refusal(std::string("[\"a\0b\"]", 7)), "control character in a string at byte 3");
  EXPECT_EQ(refusal("[\"abc"), "unterminated string at byte 5");
}

TEST(JsonScannerTest, ChecksUtf8InStrings) {
  EXPECT_TRUE(valid("[\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"]"));
  EXPECT_EQ(refusal("[\"\xC3\"]"), "invalid UTF-8 in a string at byte 2");
  // Overlong '/', an encoded surrogate, past U+10FFFF, bytes that never start one.
  for (const char* text : {"[\"\xC0\xAF\"]", "[\"\xED\xA0\x80\"]", "[\"\xF4\x90\x80\x80\"]",
                           "[\"\xFF\"]", "[\"\x80\"]"}) {
    EXPECT_FALSE(valid(text)) << text;
  }
}

TEST(JsonScannerTest, RefusesBytesOutsideStrings) {
  EXPECT_FALSE(valid("[\xC3\xA9]"));
  EXPECT_FALSE(valid("\xEF\xBB\xBF{}"));  // a byte order mark is not whitespace
}

TEST(JsonScannerTest, LimitsNesting) {
  EXPECT_TRUE(valid(nested(kMaxJsonDepth)));
  EXPECT_EQ(refusal(nested(kMaxJsonDepth + 1)),
            "nesting too deep at byte " + std::to_string(kMaxJsonDepth));
  EXPECT_FALSE(valid(nested(100000)));
  EXPECT_FALSE(scan_json("{\"a\":{\"b\":{}}}", 2).ok());
  EXPECT_TRUE(scan_json("{\"a\":{\"b\":1}}", 2).ok());
}

TEST(JsonScannerTest, ListsTheMembersOfAnObjectInOrder) {
  auto scanned = scan_json(R"({ "a" : "x\"}" , "b":{"c":[1,{"d":"]"}]},"c":-1.5e3,"d":null })");
  ASSERT_TRUE(scanned.ok());

  std::vector<std::pair<std::string, std::string>> members;
  JsonMemberReader reader(*scanned);
  while (const auto member = reader.next()) {
    members.emplace_back(std::string(member->name.raw_string()), std::string(member->value.text()));
  }

  const std::vector<std::pair<std::string, std::string>> expected = {
      {"a", R"("x\"}")"}, {"b", R"({"c":[1,{"d":"]"}]})"}, {"c", "-1.5e3"}, {"d", "null"}};
  EXPECT_EQ(members, expected);
}

TEST(JsonScannerTest, FindsTheEndOfAStringThatEndsInAnEscapedBackslash) {
  auto scanned = scan_json(R"({"a":"x\\","b":"\"\\\"","c":1})");
  ASSERT_TRUE(scanned.ok());

  JsonMemberReader reader(*scanned);
  const auto a = reader.next();
  const auto b = reader.next();
  const auto c = reader.next();

  EXPECT_EQ(a->value.text(), R"("x\\")");
  EXPECT_EQ(b->value.text(), R"("\"\\\"")");
  EXPECT_EQ(c->value.text(), "1");
  EXPECT_FALSE(reader.next().has_value());
}

TEST(JsonScannerTest, MembersCarryTheirTypes) {
  auto scanned = scan_json(R"({"o":{},"a":[],"s":"","n":0,"t":true,"f":false,"z":null})");
  ASSERT_TRUE(scanned.ok());

  std::vector<JsonType> types;
  JsonMemberReader reader(*scanned);
  while (const auto member = reader.next()) {
    types.push_back(member->value.type());
  }

  EXPECT_EQ(types, (std::vector<JsonType>{JsonType::kObject, JsonType::kArray, JsonType::kString,
                                          JsonType::kNumber, JsonType::kBoolean, JsonType::kBoolean,
                                          JsonType::kNull}));
}

TEST(JsonScannerTest, AnEmptyObjectOrANonObjectHasNoMembers) {
  auto empty = scan_json("{ }");
  auto array = scan_json("[1]");
  ASSERT_TRUE(empty.ok());
  ASSERT_TRUE(array.ok());

  EXPECT_FALSE(JsonMemberReader(*empty).next().has_value());
  EXPECT_FALSE(JsonMemberReader(*array).next().has_value());
}

TEST(JsonScannerTest, DecodesStringsAndComparesThemByValue) {
  auto object = scan_json(R"({"x":"a\"b\\c\/d\n\u00e9\uD83D\uDE00","y":"typ\u0065","z":"type"})");
  ASSERT_TRUE(object.ok());

  JsonMemberReader reader(*object);
  const auto x = reader.next();
  const auto y = reader.next();
  const auto z = reader.next();

  EXPECT_EQ(x->value.decoded_string(), "a\"b\\c/d\n\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_TRUE(y->value.string_equals("type"));
  EXPECT_TRUE(z->value.string_equals("type"));
  EXPECT_FALSE(z->value.string_equals("typ"));
}

}  // namespace
}  // namespace th::realtime
