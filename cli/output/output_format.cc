#include "output/output_format.h"

#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <ostream>
#include <sstream>

namespace th::cli {
namespace {

void print_json(std::ostream& out, const Poco::Dynamic::Var& value) {
  Poco::JSON::Stringifier::stringify(value, out, 2);
  out << "\n";
}

void print_csv_row(std::ostream& out, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    out << (i == 0 ? "" : ",") << csv_escape(cells[i]);
  }
  out << "\r\n";
}

std::vector<std::string> headings_of(const std::vector<Column>& columns) {
  std::vector<std::string> headings;
  for (const Column& column : columns) {
    headings.push_back(column.heading);
  }
  return headings;
}

std::vector<std::string> fields_of(const std::vector<Column>& columns) {
  std::vector<std::string> fields;
  for (const Column& column : columns) {
    fields.push_back(column.field);
  }
  return fields;
}

std::vector<std::string> cells_of(const Poco::JSON::Object::Ptr& row,
                                  const std::vector<Column>& columns) {
  std::vector<std::string> cells;
  for (const Column& column : columns) {
    cells.push_back(field_text(row, column.field));
  }
  return cells;
}

}  // namespace

Result<OutputFormat> parse_output_format(std::string_view name) {
  if (name == "table") {
    return OutputFormat::kTable;
  }
  if (name == "json") {
    return OutputFormat::kJson;
  }
  if (name == "csv") {
    return OutputFormat::kCsv;
  }
  return Error(ErrorCode::kInvalidArgument,
               "unknown output format '" + std::string(name) + "' (use table, json or csv)");
}

std::string field_text(const Poco::JSON::Object::Ptr& record, const std::string& field) {
  if (!record->has(field) || record->isNull(field)) {
    return "";
  }
  const Poco::Dynamic::Var value = record->get(field);
  if (value.type() == typeid(Poco::JSON::Array::Ptr) ||
      value.type() == typeid(Poco::JSON::Object::Ptr)) {
    std::ostringstream text;
    Poco::JSON::Stringifier::stringify(value, text);
    return text.str();
  }
  return value.convert<std::string>();
}

std::string csv_escape(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    return std::string(value);
  }
  std::string quoted = "\"";
  for (const char c : value) {
    quoted += c;
    if (c == '"') {
      quoted += '"';
    }
  }
  quoted += '"';
  return quoted;
}

void print_record(std::ostream& out, OutputFormat format, const Poco::JSON::Object::Ptr& record,
                  const std::vector<Column>& columns) {
  switch (format) {
    case OutputFormat::kJson:
      print_json(out, record);
      return;
    case OutputFormat::kCsv:
      print_csv_row(out, fields_of(columns));
      print_csv_row(out, cells_of(record, columns));
      return;
    case OutputFormat::kTable: {
      std::size_t width = 0;
      for (const Column& column : columns) {
        width = std::max(width, column.heading.size());
      }
      for (const Column& column : columns) {
        out << column.heading << std::string(width - column.heading.size() + 2, ' ')
            << field_text(record, column.field) << "\n";
      }
      return;
    }
  }
}

void print_listing(std::ostream& out, OutputFormat format, const Poco::JSON::Array::Ptr& rows,
                   const std::vector<Column>& columns) {
  if (format == OutputFormat::kJson) {
    print_json(out, rows);
    return;
  }
  std::vector<std::vector<std::string>> table;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    table.push_back(cells_of(rows->getObject(static_cast<unsigned>(i)), columns));
  }
  if (format == OutputFormat::kCsv) {
    print_csv_row(out, fields_of(columns));
    for (const auto& cells : table) {
      print_csv_row(out, cells);
    }
    return;
  }
  const std::vector<std::string> headings = headings_of(columns);
  std::vector<std::size_t> widths;
  for (const std::string& heading : headings) {
    widths.push_back(heading.size());
  }
  for (const auto& cells : table) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      widths[i] = std::max(widths[i], cells[i].size());
    }
  }
  auto print_row = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const bool last = i + 1 == cells.size();
      out << cells[i] << (last ? "" : std::string(widths[i] - cells[i].size() + 2, ' '));
    }
    out << "\n";
  };
  print_row(headings);
  for (const auto& cells : table) {
    print_row(cells);
  }
}

}  // namespace th::cli
