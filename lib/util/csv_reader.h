// Parsing of CSV import files (RFC 4180), with the line number of every
// record so that import errors can point at the line to fix.
//
// Accepted: fields separated by commas; records ended by CRLF or LF (the last
// one may lack a line end); fields in double quotes, which may hold commas,
// line breaks and doubled quotes ("" stands for "); a UTF-8 byte order mark
// at the start, which is skipped. Fields are returned exactly as written
// (no trimming), and line breaks inside quoted fields are kept as they were.
// A record's line is the 1-based line on which it starts.
//
// Empty lines are skipped, so a blank line never becomes a record; write a
// record holding one empty field as "".
//
// Rejected with kInvalidArgument, the message naming the line: a quoted
// field without its closing quote (the line where it opened), a quote inside
// an unquoted field, anything but a comma or line end after a closing quote,
// a carriage return not followed by a line feed outside quotes, and NUL
// bytes anywhere. Messages never quote field contents, which may be personal
// data.
//
// The functions are pure and safe from any thread. The whole text is held in
// memory; callers limit its size.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace th {

struct CsvRow {
  std::size_t line = 0;
  std::vector<std::string> fields;
};

// A data row of a file with a header: values keyed by column name. Optional
// columns absent from the header are absent from `values`.
struct CsvKeyedRow {
  std::size_t line = 0;
  std::map<std::string, std::string, std::less<>> values;
};

// Every record of `text`, in order. Empty text (or only a byte order mark and
// blank lines) gives no records.
[[nodiscard]] Result<std::vector<CsvRow>> parse_csv(std::string_view text);

// Parses text whose first record is a header naming the columns, and returns
// the records after it keyed by those names. Header names are compared
// exactly (case and spaces count). Fails with kInvalidArgument, naming the
// line and the column, if there is no header, a header name repeats, a header
// names a column in neither list, a required column is missing, or a record
// has a different number of fields from the header. A header with no records
// after it gives no rows.
[[nodiscard]] Result<std::vector<CsvKeyedRow>> parse_csv_with_header(
    std::string_view text, const std::vector<std::string_view>& required_columns,
    const std::vector<std::string_view>& optional_columns);

}  // namespace th
