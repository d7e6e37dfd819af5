#include "notify/icalendar_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace th::notify {
namespace {

std::vector<std::string> physical_lines(const std::string& folded) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < folded.size()) {
    const auto end = folded.find("\r\n", start);
    EXPECT_NE(end, std::string::npos) << "every line must end in CRLF";
    lines.push_back(folded.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

std::string unfold(const std::string& folded) {
  std::string out = folded;
  for (auto at = out.find("\r\n "); at != std::string::npos; at = out.find("\r\n ", at)) {
    out.erase(at, 3);
  }
  return out;
}

bool is_valid_utf8_start(const std::string& line) {
  return line.empty() || (static_cast<unsigned char>(line[0]) & 0xC0) != 0x80;
}

TEST(ICalendarWriterTest, LineOfExactly75OctetsIsNotFolded) {
  const std::string line = "SUMMARY:" + std::string(67, 'a');

  const std::string folded = ical_fold_line(line);

  EXPECT_EQ(line.size(), 75u);
  EXPECT_EQ(folded, line + "\r\n");
}

TEST(ICalendarWriterTest, LongLinesFoldAtSeventyFiveOctetsWithALeadingSpace) {
  const std::string line = "DESCRIPTION:" + std::string(200, 'x');

  const auto lines = physical_lines(ical_fold_line(line));

  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].size(), 75u);
  EXPECT_EQ(lines[1].size(), 75u);
  EXPECT_EQ(lines[1][0], ' ');
  EXPECT_EQ(lines[2][0], ' ');
  EXPECT_EQ(unfold(ical_fold_line(line)), line + "\r\n");
}

TEST(ICalendarWriterTest, FoldingNeverSplitsAUtf8Sequence) {
  // "é" is two octets and "€" three: a cut at octet 75 would land inside one.
  std::string line = "SUMMARY:a";
  for (int i = 0; i < 40; ++i) {
    line += "\xC3\xA9\xE2\x82\xAC";
  }

  const std::string folded = ical_fold_line(line);

  for (const std::string& physical : physical_lines(folded)) {
    EXPECT_LE(physical.size(), 75u);
    const std::string content = physical.starts_with(' ') ? physical.substr(1) : physical;
    EXPECT_TRUE(is_valid_utf8_start(content)) << "a continuation line starts mid-character";
  }
  EXPECT_EQ(unfold(folded), line + "\r\n");
}

TEST(ICalendarWriterTest, TextEscapesBackslashSemicolonCommaAndNewline) {
  EXPECT_EQ(ical_escape_text("a\\b;c,d\ne"), "a\\\\b\\;c\\,d\\ne");
  EXPECT_EQ(ical_escape_text("line\r\nbreak"), "line\\nbreak");
}

TEST(ICalendarWriterTest, TextDropsControlCharactersAndReplacesInvalidUtf8) {
  EXPECT_EQ(ical_escape_text(std::string("a\x01"
                                         "b\x7f"
                                         "c\td")),
            "abc\td");
  EXPECT_EQ(ical_escape_text("x\xFFy"), "x\xEF\xBF\xBDy");
}

TEST(ICalendarWriterTest, PropertyValuesCannotBreakTheLine) {
  ICalendarWriter writer;

  writer.property("URL", "https://a.example/\r\nATTENDEE:mailto:x@y");

  EXPECT_EQ(writer.str(), "URL:https://a.example/ATTENDEE:mailto:x@y\r\n");
}

TEST(ICalendarWriterTest, UtcTimesAreBasicFormatWithZ) {
  EXPECT_EQ(ical_utc_time(1'773'064'800'000'000), "20260309T140000Z");
  EXPECT_EQ(ical_utc_time(1'773'064'800'999'999), "20260309T140000Z");
}

}  // namespace
}  // namespace th::notify
