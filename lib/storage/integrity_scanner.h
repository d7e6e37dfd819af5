// IntegrityScanner: the registry of the tables that hold personal data, and
// the walk that checks every row of them (`thctl integrity check`, HIPAA
// 164.312(c)(1)).
//
// Each table is registered once at start-up with the RecordChecker that
// knows its stored form; a module that adds a table of personal data (notes,
// messages, documents) registers its checker beside the others, and from
// then on every scan covers it. Registering a table twice is a programming
// error and aborts.
//
// scan() reads each table in pages of `page_rows` rows in id order, one
// short lease of a pooled session per page, so a long scan neither holds a
// connection nor keeps a transaction open; rows written while it runs may
// or may not be seen. The report counts every row checked and lists every
// row that failed, with no stored values in it.
//
// add() must happen before the scanner is shared; scan() is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "storage/database.h"
#include "storage/record_checker.h"

namespace th::storage {

struct TableSummary {
  std::string table;
  std::uint64_t rows_checked = 0;
  std::uint64_t rows_failed = 0;
};

struct IntegrityReport {
  std::vector<TableSummary> tables;  // in registration order
  std::vector<RecordFailure> failures;

  [[nodiscard]] bool ok() const { return failures.empty(); }
  [[nodiscard]] std::uint64_t rows_checked() const;
};

class IntegrityScanner {
 public:
  static constexpr std::size_t kDefaultPageRows = 500;

  explicit IntegrityScanner(Database& database, std::size_t page_rows = kDefaultPageRows);

  void add(std::unique_ptr<RecordChecker> checker);

  // The registered tables, in registration order.
  [[nodiscard]] std::vector<std::string> tables() const;

  // Fails only when the database does (kUnavailable, kInternal); rows that
  // fail their checks are in the report.
  [[nodiscard]] Result<IntegrityReport> scan() const;

 private:
  Result<TableSummary> scan_table(const RecordChecker& checker, IntegrityReport& report) const;

  Database& database_;
  std::size_t page_rows_;
  std::vector<std::unique_ptr<RecordChecker>> checkers_;
};

}  // namespace th::storage
