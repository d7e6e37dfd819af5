#include "storage/sealed_table_checker.h"

#include <openssl/crypto.h>

#include "storage/row_values.h"

namespace th::storage {
namespace {

// The columns of a row as check_row() reads them: the id, then version and
// tag when tagged, then the sealed columns, then the tagged clear text and
// integer ones.
std::string select_statement(const SealedTableLayout& layout) {
  std::string columns = layout.id_column;
  if (layout.tagged) {
    columns += ", version, integrity_tag";
  }
  for (const SealedColumn& sealed : layout.sealed) {
    columns += ", " + sealed.column;
  }
  for (const std::string& plain : layout.tagged_plain) {
    columns += ", " + plain;
  }
  for (const std::string& integer : layout.tagged_integers) {
    columns += ", " + integer;
  }
  return "SELECT " + columns + " FROM " + layout.table + " WHERE " + layout.id_column +
         " > :after ORDER BY " + layout.id_column + " LIMIT :limit";
}

}  // namespace

SealedTableChecker::SealedTableChecker(SealedTableLayout layout, DataProtection& protection)
    : layout_(std::move(layout)), protection_(protection), select_(select_statement(layout_)) {}

Result<CheckedPage> SealedTableChecker::check_page(soci::session& session,
                                                   const std::string& after_id,
                                                   std::size_t limit) const {
  CheckedPage page;
  const long long rows_wanted = static_cast<long long>(limit);
  soci::rowset<soci::row> rows =
      (session.prepare << select_, soci::use(after_id), soci::use(rows_wanted));
  for (const soci::row& row : rows) {
    ++page.rows;
    page.last_id = row.get<std::string>(0);
    std::vector<std::string> problems = check_row(row);
    if (!problems.empty()) {
      page.failures.push_back({layout_.table, page.last_id, std::move(problems)});
    }
  }
  return page;
}

std::vector<std::string> SealedTableChecker::check_row(const soci::row& row) const {
  const std::string id = row.get<std::string>(0);
  std::size_t next = 1;
  std::int64_t version = 0;
  std::string tag;
  if (layout_.tagged) {
    version = column_int64(row, next++);
    tag = column_text(row, next++);
  }
  std::vector<std::string> sealed_values;
  StoredFields fields;
  for (const SealedColumn& sealed : layout_.sealed) {
    sealed_values.push_back(column_text(row, next++));
    if (version >= sealed.from_version) {
      fields.emplace_back(sealed.field, sealed_values.back());
    }
  }
  for (const std::string& plain : layout_.tagged_plain) {
    fields.emplace_back(plain, column_text(row, next++));
  }
  for (const std::string& integer : layout_.tagged_integers) {
    const std::int64_t value = column_int64(row, next++);
    if (version >= layout_.integers_from_version) {
      fields.emplace_back(integer, std::to_string(value));
    }
  }

  // Every check runs even after one failed, so the report says all of what
  // is wrong with the row.
  std::vector<std::string> problems;
  if (layout_.tagged && !protection_.verify_integrity(layout_.table, id, version, fields, tag)) {
    problems.emplace_back("integrity tag does not match");
  }
  for (std::size_t i = 0; i < layout_.sealed.size(); ++i) {
    const SealedColumn& sealed = layout_.sealed[i];
    const std::string& value = sealed_values[i];
    if (version < sealed.from_version) {
      if (!value.empty()) {
        problems.push_back(sealed.field + " is set in a row version that has no such field");
      }
      continue;
    }
    if (sealed.empty_is_none && value.empty()) {
      continue;
    }
    auto opened = protection_.open(value, {layout_.table, sealed.field, id});
    if (opened.ok()) {
      OPENSSL_cleanse(opened->data(), opened->size());
    } else {
      problems.push_back(opened.error().message());
    }
  }
  return problems;
}

}  // namespace th::storage
