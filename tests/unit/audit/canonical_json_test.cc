#include "audit/canonical_json.h"

#include <Poco/DateTime.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <string>

namespace th::audit {
namespace {

Poco::Dynamic::Var parse(const std::string& json) {
  return Poco::JSON::Parser().parse(json);
}

std::string canonical_number_text(double value) {
  auto text = canonical_number(value);
  return text.ok() ? *text : "<error>";
}

double from_bits(std::uint64_t bits) {
  return std::bit_cast<double>(bits);
}

// `levels` arrays, each the only element of the one outside it.
Poco::Dynamic::Var nested_arrays(std::size_t levels) {
  Poco::JSON::Array::Ptr root = new Poco::JSON::Array();
  Poco::JSON::Array::Ptr current = root;
  for (std::size_t i = 1; i < levels; ++i) {
    Poco::JSON::Array::Ptr next = new Poco::JSON::Array();
    current->add(next);
    current = next;
  }
  return root;
}

TEST(CanonicalJsonTest, MatchesRfc8785SerializationExample) {
  // RFC 8785 section 3.2.2: input with whitespace, escapes and numbers in
  // non-canonical spellings, and the exact bytes it must become.
  const auto input = parse(R"({
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  })");

  const auto canonical = canonical_json(input);

  ASSERT_TRUE(canonical.ok()) << canonical.error().message();
  EXPECT_EQ(*canonical,
            "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
            "\"string\":\"\xE2\x82\xAC$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

TEST(CanonicalJsonTest, SortsKeysByUtf16CodeUnits) {
  // RFC 8785 section 3.2.3. U+1F600 is a surrogate pair starting 0xD83D, so it
  // sorts before U+FB33 in UTF-16 although its UTF-8 bytes sort after.
  const auto input = parse(
      R"({"\u20ac": "Euro Sign", "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"})");

  const auto canonical = canonical_json(input);

  ASSERT_TRUE(canonical.ok()) << canonical.error().message();
  EXPECT_EQ(*canonical,
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xC2\x80\":\"Control\","
            "\"\xC3\xB6\":\"Latin Small Letter O With Diaeresis\",\"\xE2\x82\xAC\":\"Euro Sign\","
            "\"\xF0\x9F\x98\x80\":\"Emoji: Grinning Face\","
            "\"\xEF\xAC\xB3\":\"Hebrew Letter Dalet With Dagesh\"}");
}

TEST(CanonicalJsonTest, SortsNestedObjectsAndKeepsArrayOrder) {
  const auto input = parse(R"({"b": [3, 1, {"z": 1, "a": 2}], "a": {"y": null, "x": true}})");

  const auto canonical = canonical_json(input);

  ASSERT_TRUE(canonical.ok());
  EXPECT_EQ(*canonical, R"({"a":{"x":true,"y":null},"b":[3,1,{"a":2,"z":1}]})");
}

TEST(CanonicalJsonTest, EscapesOnlyWhatJcsRequires) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object();
  object->set("s", std::string("\x01\x1f\b\f\n\r\t\"\\/\x7f\xE2\x80\xA8<>&'"));

  const auto canonical = canonical_json(object);

  ASSERT_TRUE(canonical.ok());
  EXPECT_EQ(*canonical, "{\"s\":\"\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\x7f\xE2\x80\xA8<>&'\"}");
}

TEST(CanonicalJsonTest, FormatsNumbersAsEcmascript) {
  EXPECT_EQ(canonical_number_text(1e21), "1e+21");
  EXPECT_EQ(canonical_number_text(1e20), "100000000000000000000");
  EXPECT_EQ(canonical_number_text(0.000001), "0.000001");
  EXPECT_EQ(canonical_number_text(1e-7), "1e-7");
  EXPECT_EQ(canonical_number_text(-0.0), "0");
  EXPECT_EQ(canonical_number_text(0.1), "0.1");
  EXPECT_EQ(canonical_number_text(123.456), "123.456");
  EXPECT_EQ(canonical_number_text(100), "100");
  EXPECT_EQ(canonical_number_text(1.5e300), "1.5e+300");
}

TEST(CanonicalJsonTest, MatchesRfc8785NumberSamples) {
  // RFC 8785 appendix B: IEEE 754 bit patterns and their required text.
  const struct {
    std::uint64_t bits;
    const char* text;
  } kSamples[] = {
      {0x0000000000000000, "0"},
      {0x8000000000000000, "0"},
      {0x0000000000000001, "5e-324"},
      {0x8000000000000001, "-5e-324"},
      {0x7fefffffffffffff, "1.7976931348623157e+308"},
      {0xffefffffffffffff, "-1.7976931348623157e+308"},
      {0x4340000000000000, "9007199254740992"},
      {0xc340000000000000, "-9007199254740992"},
      {0x4430000000000000, "295147905179352830000"},
      {0x44b52d02c7e14af5, "9.999999999999997e+22"},
      {0x44b52d02c7e14af6, "1e+23"},
      {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
      {0x444b1ae4d6e2ef4e, "999999999999999700000"},
      {0x444b1ae4d6e2ef4f, "999999999999999900000"},
      {0x444b1ae4d6e2ef50, "1e+21"},
      {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
      {0x3eb0c6f7a0b5ed8d, "0.000001"},
      {0x41b3de4355555553, "333333333.3333332"},
      {0x41b3de4355555554, "333333333.33333325"},
      {0x41b3de4355555555, "333333333.3333333"},
      {0x41b3de4355555556, "333333333.3333334"},
      {0x41b3de4355555557, "333333333.33333343"},
      {0xbecbf647612f3696, "-0.0000033333333333333333"},
      {0x43143ff3c1cb0959, "1424953923781206.2"},
  };

  for (const auto& sample : kSamples) {
    EXPECT_EQ(canonical_number_text(from_bits(sample.bits)), sample.text)
        << "bits " << std::hex << sample.bits;
  }
}

TEST(CanonicalJsonTest, RejectsNonFiniteNumbers) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object();
  object->set("x", std::numeric_limits<double>::quiet_NaN());

  const auto nan = canonical_json(object);
  const auto infinity = canonical_number(std::numeric_limits<double>::infinity());

  ASSERT_FALSE(nan.ok());
  EXPECT_EQ(nan.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(nan.error().message(), "canonicalize json '$.x': number is not finite");
  ASSERT_FALSE(infinity.ok());
  EXPECT_EQ(infinity.error().code(), ErrorCode::kInvalidArgument);
}

TEST(CanonicalJsonTest, WritesSafeIntegersExactly) {
  Poco::JSON::Array::Ptr array = new Poco::JSON::Array();
  array->add(Poco::Int64{9007199254740991});
  array->add(Poco::Int64{-9007199254740991});
  array->add(Poco::UInt64{1733260000123456});
  array->add(0);
  array->add(static_cast<unsigned char>(7));

  const auto canonical = canonical_json(Poco::Dynamic::Var(array));

  ASSERT_TRUE(canonical.ok());
  EXPECT_EQ(*canonical, "[9007199254740991,-9007199254740991,1733260000123456,0,7]");
}

TEST(CanonicalJsonTest, RejectsIntegersBeyondTheSafeRange) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object();
  Poco::JSON::Object::Ptr inner = new Poco::JSON::Object();
  inner->set("id", Poco::UInt64{9007199254740993});
  object->set("actor", inner);

  const auto canonical = canonical_json(object);

  ASSERT_FALSE(canonical.ok());
  EXPECT_EQ(canonical.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(canonical.error().message(),
            "canonicalize json '$.actor.id': integer outside the exactly representable range");
}

TEST(CanonicalJsonTest, RejectsInvalidUtf8WithoutQuotingIt) {
  Poco::JSON::Array::Ptr array = new Poco::JSON::Array();
  array->add(std::string("ok"));
  array->add(std::string("\xED\xA0\x80"));  // an encoded surrogate

  const auto canonical = canonical_json(Poco::Dynamic::Var(array));

  ASSERT_FALSE(canonical.ok());
  EXPECT_EQ(canonical.error().message(), "canonicalize json '$[1]': string is not valid utf-8");
}

TEST(CanonicalJsonTest, RejectsUnsupportedValueTypes) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object();
  object->set("when", Poco::DateTime(2026, 12, 3));

  const auto canonical = canonical_json(object);

  ASSERT_FALSE(canonical.ok());
  EXPECT_EQ(canonical.error().code(), ErrorCode::kInvalidArgument);
}

TEST(CanonicalJsonTest, RejectsNullObjectPointer) {
  const Poco::JSON::Object::Ptr object;

  const auto canonical = canonical_json(object);

  ASSERT_FALSE(canonical.ok());
  EXPECT_EQ(canonical.error().code(), ErrorCode::kInvalidArgument);
}

TEST(CanonicalJsonTest, AcceptsNestingUpToTheLimit) {
  const auto canonical = canonical_json(nested_arrays(kMaxCanonicalJsonDepth));

  ASSERT_TRUE(canonical.ok());
  EXPECT_EQ(*canonical,
            std::string(kMaxCanonicalJsonDepth, '[') + std::string(kMaxCanonicalJsonDepth, ']'));
}

TEST(CanonicalJsonTest, RejectsNestingBeyondTheLimit) {
  const auto canonical = canonical_json(nested_arrays(kMaxCanonicalJsonDepth + 1));

  ASSERT_FALSE(canonical.ok());
  EXPECT_EQ(canonical.error().code(), ErrorCode::kInvalidArgument);
}

TEST(CanonicalJsonTest, IsStableAcrossReparsing) {
  const auto first = canonical_json(parse(R"({"b":1.0,"a":[0.5,-0.0,"x\u0000"]})"));
  ASSERT_TRUE(first.ok());

  const auto second = canonical_json(parse(*first));

  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, R"({"a":[0.5,0,"x\u0000"],"b":1})");
  EXPECT_EQ(*second, *first);
}

}  // namespace
}  // namespace th::audit
