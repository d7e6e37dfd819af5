// How thctl prints results: an aligned table for people, or JSON or CSV for
// scripts. The JSON and CSV shapes are stable: fields are added, never
// renamed or removed, within a major version.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace th::cli {

enum class OutputFormat { kTable, kJson, kCsv };

Result<OutputFormat> parse_output_format(std::string_view name);

// A column of a listing: the JSON field it shows and its heading.
struct Column {
  std::string field;
  std::string heading;
};

// One object: "field  value" lines (table), the object (json), or a header
// row and a value row (csv), using the given fields in order.
void print_record(std::ostream& out, OutputFormat format, const Poco::JSON::Object::Ptr& record,
                  const std::vector<Column>& columns);

// Many objects: an aligned table with headings, a JSON array, or CSV.
void print_listing(std::ostream& out, OutputFormat format, const Poco::JSON::Array::Ptr& rows,
                   const std::vector<Column>& columns);

// Text of one field for table and CSV output; empty for a missing or null field.
std::string field_text(const Poco::JSON::Object::Ptr& record, const std::string& field);

// RFC 4180 quoting: quoted when the value holds a comma, quote or line break.
std::string csv_escape(std::string_view value);

}  // namespace th::cli
