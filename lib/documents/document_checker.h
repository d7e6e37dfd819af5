// DocumentChecker: the RecordChecker of the documents table. Each row's
// metadata is checked as any sealed, tagged row is (SealedTableChecker over
// DocumentStore::layout()), and then its content: it must open, and its
// plaintext must have the size and SHA-256 the tagged metadata records.
//
// Contents are read one row at a time, so a page of large documents holds
// one of them in memory at once; opened plaintext is wiped at once and
// never leaves the checker.
//
// Immutable after construction; thread-safe as DataProtection is.
#pragma once

#include "storage/data_protection.h"
#include "storage/record_checker.h"
#include "storage/sealed_table_checker.h"

namespace th::documents {

class DocumentChecker final : public storage::RecordChecker {
 public:
  explicit DocumentChecker(storage::DataProtection& protection);

  std::string_view table() const override { return metadata_.table(); }
  Result<storage::CheckedPage> check_page(soci::session& session, const std::string& after_id,
                                          std::size_t limit) const override;

 private:
  std::vector<std::string> check_content(soci::session& session, const std::string& id) const;

  storage::DataProtection& protection_;
  storage::SealedTableChecker metadata_;
};

}  // namespace th::documents
