#include "realtime/json_string_writer.h"

#include <gtest/gtest.h>

#include "realtime/json_scanner.h"

namespace th::realtime {
namespace {

std::string written(std::string_view value) {
  std::string out = "x";
  append_json_string(out, value);
  return out;
}

TEST(JsonStringWriterTest, CopiesPlainTextBetweenQuotes) {
  EXPECT_EQ(written("appt-1"), "x\"appt-1\"");
  EXPECT_EQ(written(""), "x\"\"");
  EXPECT_EQ(written("caf\xC3\xA9"), "x\"caf\xC3\xA9\"");
}

TEST(JsonStringWriterTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(written("a\"b\\c"), R"(x"a\"b\\c")");
  EXPECT_EQ(written("\b\f\n\r\t"), R"(x"\b\f\n\r\t")");
  EXPECT_EQ(written(std::string("\x01\x1f\0", 3)), R"(x"\u0001\u001f\u0000")");
}

TEST(JsonStringWriterTest, WhatItWritesReadsBackAsTheSameValue) {
  const std::string value = std::string("q\"uote\\ \x7f \x01 tab\t \xE2\x82\xAC end\0", 25);
  std::string out;
  append_json_string(out, value);

  auto scanned = scan_json(out);

  ASSERT_TRUE(scanned.ok()) << scanned.error().message();
  EXPECT_EQ(scanned->decoded_string(), value);
}

}  // namespace
}  // namespace th::realtime
