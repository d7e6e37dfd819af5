#include "util/csv_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace th {
namespace {

using Fields = std::vector<std::string>;

std::vector<CsvRow> parse_ok(std::string_view text) {
  auto rows = parse_csv(text);
  EXPECT_TRUE(rows.ok()) << rows.error().message();
  return rows.ok() ? std::move(rows).value() : std::vector<CsvRow>{};
}

void expect_error(std::string_view text, std::string_view message) {
  const auto rows = parse_csv(text);
  ASSERT_FALSE(rows.ok()) << text;
  EXPECT_EQ(rows.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(rows.error().message(), message);
}

// --- parse_csv ---

TEST(CsvReaderTest, SplitsRecordsAndFields) {
  const auto rows = parse_ok("a,b,c\n1,2,3\n");

  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields, (Fields{"a", "b", "c"}));
  EXPECT_EQ(rows[1].fields, (Fields{"1", "2", "3"}));
  EXPECT_EQ(rows[0].line, 1u);
  EXPECT_EQ(rows[1].line, 2u);
}

TEST(CsvReaderTest, AcceptsCrlfAndMissingFinalLineEnd) {
  const auto rows = parse_ok("a,b\r\n1,2");

  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields, (Fields{"a", "b"}));
  EXPECT_EQ(rows[1].fields, (Fields{"1", "2"}));
}

TEST(CsvReaderTest, KeepsEmptyFieldsAndSpaces) {
  const auto rows = parse_ok(",x, y ,\n");

  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, (Fields{"", "x", " y ", ""}));
}

TEST(CsvReaderTest, QuotedFieldsHoldCommasAndDoubledQuotes) {
  const auto rows = parse_ok("\"Smith, Ada\",\"say \"\"hi\"\"\",\"\"\n");

  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, (Fields{"Smith, Ada", "say \"hi\"", ""}));
}

TEST(CsvReaderTest, EmbeddedLineBreaksKeepStartLine) {
  const auto rows = parse_ok("id,note\n1,\"first\nsecond\r\nthird\"\n2,x\n");

  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].line, 2u);
  EXPECT_EQ(rows[1].fields[1], "first\nsecond\r\nthird");
  EXPECT_EQ(rows[2].line, 5u);
}

TEST(CsvReaderTest, SkipsByteOrderMarkAndBlankLines) {
  const auto rows = parse_ok(
      "\xEF\xBB\xBF"
      "a,b\n\n\r\n1,2\n\n");

  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields, (Fields{"a", "b"}));
  EXPECT_EQ(rows[1].line, 4u);
}

TEST(CsvReaderTest, EmptyTextHasNoRecords) {
  EXPECT_TRUE(parse_ok("").empty());
  EXPECT_TRUE(parse_ok("\xEF\xBB\xBF").empty());
  EXPECT_TRUE(parse_ok("\n\n").empty());
}

TEST(CsvReaderTest, QuotedEmptyFieldIsARecord) {
  const auto rows = parse_ok("\"\"\n");

  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, (Fields{""}));
}

TEST(CsvReaderTest, RejectsUnterminatedQuoteAtTheLineItOpened) {
  expect_error("a,b\n1,\"open\nstill open\n",
               "parse csv: line 2: quoted field has no closing quote");
}

TEST(CsvReaderTest, RejectsQuoteInsideUnquotedField) {
  expect_error("a,b\n1,x\"y\n", "parse csv: line 2: quote inside an unquoted field");
}

TEST(CsvReaderTest, RejectsTextAfterClosingQuote) {
  expect_error("\"a\"b,c\n", "parse csv: line 1: unexpected character after a closing quote");
}

TEST(CsvReaderTest, RejectsNulBytesInAnyField) {
  using namespace std::string_literals;

  expect_error("a,b\n1,x\0y\n"s, "parse csv: line 2: NUL byte");
  expect_error("a\n\"x\n\0\"\n"s, "parse csv: line 3: NUL byte");
}

TEST(CsvReaderTest, RejectsBareCarriageReturn) {
  expect_error("a,b\r1,2\n", "parse csv: line 1: carriage return without line feed");
}

// --- parse_csv_with_header ---

const std::vector<std::string_view> kRequired = {"mrn", "given_name"};
const std::vector<std::string_view> kOptional = {"email"};

TEST(CsvReaderTest, KeysRowsByHeaderName) {
  const auto rows =
      parse_csv_with_header("given_name,mrn,email\nAda,M1,a@x.org\nBo,M2,\n", kRequired, kOptional);

  ASSERT_TRUE(rows.ok()) << rows.error().message();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].line, 2u);
  EXPECT_EQ((*rows)[0].values.at("mrn"), "M1");
  EXPECT_EQ((*rows)[0].values.at("given_name"), "Ada");
  EXPECT_EQ((*rows)[1].values.at("email"), "");
  EXPECT_EQ((*rows)[1].line, 3u);
}

TEST(CsvReaderTest, OmittedOptionalColumnIsAbsent) {
  const auto rows = parse_csv_with_header("mrn,given_name\nM1,Ada\n", kRequired, kOptional);

  ASSERT_TRUE(rows.ok());
  EXPECT_FALSE((*rows)[0].values.contains("email"));
}

TEST(CsvReaderTest, HeaderOnlyGivesNoRows) {
  const auto rows = parse_csv_with_header("mrn,given_name\n", kRequired, kOptional);

  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->empty());
}

TEST(CsvReaderTest, HeaderErrorsNameLineAndColumn) {
  const auto missing = parse_csv_with_header("\nmrn\nM1\n", kRequired, kOptional);
  const auto unknown = parse_csv_with_header("mrn,given_name,ssn\n", kRequired, kOptional);
  const auto duplicate = parse_csv_with_header("mrn,given_name,mrn\n", kRequired, kOptional);
  const auto empty = parse_csv_with_header("", kRequired, kOptional);

  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message(), "parse csv: line 2: missing required column 'given_name'");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message(), "parse csv: line 1: unknown column 'ssn'");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().message(), "parse csv: line 1: duplicate column 'mrn'");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message(), "parse csv: line 1: no header row");
}

TEST(CsvReaderTest, ListsEveryMissingRequiredColumn) {
  const auto rows = parse_csv_with_header("email\n", kRequired, kOptional);

  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.error().message(),
            "parse csv: line 1: missing required columns 'mrn', 'given_name'");
}

TEST(CsvReaderTest, RejectsRowWithWrongFieldCount) {
  const auto rows =
      parse_csv_with_header("mrn,given_name\nM1,Ada\n\"M2\nx\",Bo,extra\n", kRequired, kOptional);

  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(rows.error().message(), "parse csv: line 3: expected 2 fields, found 3");
}

TEST(CsvReaderTest, HeaderParsePropagatesSyntaxErrors) {
  const auto rows = parse_csv_with_header("mrn,given_name\nM1,\"Ada\n", kRequired, kOptional);

  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.error().message(), "parse csv: line 2: quoted field has no closing quote");
}

}  // namespace
}  // namespace th
