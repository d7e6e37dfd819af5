#include "storage/integrity_scanner.h"

#include <cstdio>
#include <cstdlib>

namespace th::storage {

std::uint64_t IntegrityReport::rows_checked() const {
  std::uint64_t total = 0;
  for (const TableSummary& table : tables) {
    total += table.rows_checked;
  }
  return total;
}

IntegrityScanner::IntegrityScanner(Database& database, std::size_t page_rows)
    : database_(database), page_rows_(page_rows == 0 ? 1 : page_rows) {}

void IntegrityScanner::add(std::unique_ptr<RecordChecker> checker) {
  for (const auto& existing : checkers_) {
    if (existing->table() == checker->table()) {
      std::fprintf(stderr, "telehealth: fatal: table '%.*s' registered twice for integrity\n",
                   static_cast<int>(checker->table().size()), checker->table().data());
      std::abort();
    }
  }
  checkers_.push_back(std::move(checker));
}

std::vector<std::string> IntegrityScanner::tables() const {
  std::vector<std::string> names;
  for (const auto& checker : checkers_) {
    names.emplace_back(checker->table());
  }
  return names;
}

Result<IntegrityReport> IntegrityScanner::scan() const {
  IntegrityReport report;
  for (const auto& checker : checkers_) {
    auto summary = scan_table(*checker, report);
    if (!summary.ok()) {
      return summary.error().with_context("check table '" + std::string(checker->table()) + "'");
    }
    report.tables.push_back(std::move(*summary));
  }
  return report;
}

Result<TableSummary> IntegrityScanner::scan_table(const RecordChecker& checker,
                                                  IntegrityReport& report) const {
  TableSummary summary;
  summary.table = checker.table();
  std::string after;
  for (;;) {
    auto page = database_.run(
        [&](soci::session& session) { return checker.check_page(session, after, page_rows_); });
    if (!page.ok()) {
      return page.error();
    }
    summary.rows_checked += page->rows;
    summary.rows_failed += page->failures.size();
    for (RecordFailure& failure : page->failures) {
      report.failures.push_back(std::move(failure));
    }
    if (page->rows < page_rows_) {
      return summary;
    }
    after = std::move(page->last_id);
  }
}

}  // namespace th::storage
