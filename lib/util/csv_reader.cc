#include "util/csv_reader.h"

#include <algorithm>
#include <set>

namespace th {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

Error csv_error(std::size_t line, std::string_view reason) {
  return Error(ErrorCode::kInvalidArgument,
               "parse csv: line " + std::to_string(line) + ": " + std::string(reason));
}

// A single pass over the text; pos_ is the next unread byte and line_ the
// line it is on.
class CsvParser {
 public:
  explicit CsvParser(std::string_view text) : text_(text) {
    if (text_.starts_with(kByteOrderMark)) {
      text_.remove_prefix(kByteOrderMark.size());
    }
  }

  Result<std::vector<CsvRow>> parse() {
    std::vector<CsvRow> rows;
    while (!at_end()) {
      if (at_line_end()) {
        TH_RETURN_IF_ERROR(consume_line_end());  // a blank line
        continue;
      }
      auto row = parse_record();
      if (!row.ok()) {
        return row.error();
      }
      rows.push_back(std::move(row).value());
    }
    return rows;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  bool at_line_end() const { return !at_end() && (peek() == '\n' || peek() == '\r'); }

  // Consumes "\n" or "\r\n"; a carriage return on its own is an error.
  Status consume_line_end() {
    if (peek() == '\r') {
      if (pos_ + 1 >= text_.size() || text_[pos_ + 1] != '\n') {
        return csv_error(line_, "carriage return without line feed");
      }
      ++pos_;
    }
    ++pos_;
    ++line_;
    return ok_status();
  }

  // Reads fields until the end of the record, consuming its line end.
  Result<CsvRow> parse_record() {
    CsvRow row;
    row.line = line_;
    while (true) {
      auto field = (!at_end() && peek() == '"') ? parse_quoted() : parse_unquoted();
      if (!field.ok()) {
        return field.error();
      }
      row.fields.push_back(std::move(field).value());

      if (at_end()) {
        return row;
      }
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      // Both field parsers stop only at a comma, a line end or the end.
      TH_RETURN_IF_ERROR(consume_line_end());
      return row;
    }
  }

  Result<std::string> parse_unquoted() {
    std::string field;
    while (!at_end() && peek() != ',' && !at_line_end()) {
      if (peek() == '"') {
        return csv_error(line_, "quote inside an unquoted field");
      }
      if (peek() == '\0') {
        return csv_error(line_, "NUL byte");
      }
      field.push_back(peek());
      ++pos_;
    }
    return field;
  }

  Result<std::string> parse_quoted() {
    const std::size_t start_line = line_;
    ++pos_;  // the opening quote
    std::string field;
    while (true) {
      if (at_end()) {
        return csv_error(start_line, "quoted field has no closing quote");
      }
      const char c = peek();
      ++pos_;
      if (c == '"') {
        if (!at_end() && peek() == '"') {
          field.push_back('"');
          ++pos_;
          continue;
        }
        break;
      }
      if (c == '\0') {
        return csv_error(line_, "NUL byte");
      }
      if (c == '\n') {
        ++line_;
      }
      field.push_back(c);
    }
    if (!at_end() && peek() != ',' && !at_line_end()) {
      return csv_error(line_, "unexpected character after a closing quote");
    }
    return field;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

bool contains(const std::vector<std::string_view>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string quoted_list(const std::vector<std::string_view>& names) {
  std::string out;
  for (const std::string_view name : names) {
    out += (out.empty() ? "'" : ", '") + std::string(name) + "'";
  }
  return out;
}

Status check_header(const CsvRow& header, const std::vector<std::string_view>& required,
                    const std::vector<std::string_view>& optional) {
  std::set<std::string_view> seen;
  for (const std::string& name : header.fields) {
    if (!seen.insert(name).second) {
      return csv_error(header.line, "duplicate column '" + name + "'");
    }
    if (!contains(required, name) && !contains(optional, name)) {
      return csv_error(header.line, "unknown column '" + name + "'");
    }
  }
  std::vector<std::string_view> missing;
  for (const std::string_view name : required) {
    if (!seen.contains(name)) {
      missing.push_back(name);
    }
  }
  if (!missing.empty()) {
    return csv_error(header.line, std::string(missing.size() == 1 ? "missing required column "
                                                                  : "missing required columns ") +
                                      quoted_list(missing));
  }
  return ok_status();
}

}  // namespace

Result<std::vector<CsvRow>> parse_csv(std::string_view text) {
  return CsvParser(text).parse();
}

Result<std::vector<CsvKeyedRow>> parse_csv_with_header(
    std::string_view text, const std::vector<std::string_view>& required_columns,
    const std::vector<std::string_view>& optional_columns) {
  auto rows = parse_csv(text);
  if (!rows.ok()) {
    return rows.error();
  }
  if (rows->empty()) {
    return csv_error(1, "no header row");
  }
  const CsvRow& header = rows->front();
  TH_RETURN_IF_ERROR(check_header(header, required_columns, optional_columns));

  std::vector<CsvKeyedRow> keyed;
  keyed.reserve(rows->size() - 1);
  for (std::size_t r = 1; r < rows->size(); ++r) {
    CsvRow& row = (*rows)[r];
    if (row.fields.size() != header.fields.size()) {
      return csv_error(row.line, "expected " + std::to_string(header.fields.size()) +
                                     " fields, found " + std::to_string(row.fields.size()));
    }
    CsvKeyedRow out{row.line, {}};
    for (std::size_t i = 0; i < row.fields.size(); ++i) {
      out.values.emplace(header.fields[i], std::move(row.fields[i]));
    }
    keyed.push_back(std::move(out));
  }
  return keyed;
}

}  // namespace th
